// Package apperr holds fritid's one application error type. Every error that reaches a
// client carries a stable Code; anything that is not an *Error is INTERNAL.
package apperr

import "errors"

// Code is a stable, machine-readable error code, sent to clients as extensions.code.
type Code string

// The codes a client can rely on. They never change meaning.
const (
	// NotFound: the item does not exist, or is not visible to the caller.
	NotFound Code = "NOT_FOUND"
	// BadUserInput: an argument or field is invalid; Field names it.
	BadUserInput Code = "BAD_USER_INPUT"
	// Conflict: the change collides with the current state (a duplicate slug, say).
	Conflict Code = "CONFLICT"
	// Forbidden: the caller is known but may not do this.
	Forbidden Code = "FORBIDDEN"
	// Unauthenticated: the caller must sign in first.
	Unauthenticated Code = "UNAUTHENTICATED"
	// RateLimited: too many attempts; retry later.
	RateLimited Code = "RATE_LIMITED"
	// Internal: something failed on our side; details are logged, never shown.
	Internal Code = "INTERNAL"
	// ServiceUnavailable: the database cannot be reached right now (it is restarting, say);
	// nothing was done, and the same request may succeed after the HTTP Retry-After delay.
	ServiceUnavailable Code = "SERVICE_UNAVAILABLE"
	// TenantNotFound: no municipality answers to the request's host or X-Municipality header.
	TenantNotFound Code = "TENANT_NOT_FOUND"
	// BadRequest: the HTTP request itself is malformed (unparseable JSON, say).
	BadRequest Code = "BAD_REQUEST"
	// UnsupportedMediaType: the request body is not in a content type the API accepts.
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	// PayloadTooLarge: the request body is over the configured limit.
	PayloadTooLarge Code = "PAYLOAD_TOO_LARGE"
	// ParseFailed: the GraphQL document does not parse.
	ParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// ValidationFailed: the GraphQL document does not validate against the schema.
	ValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
	// QueryTooComplex: the operation is over the complexity limit.
	QueryTooComplex Code = "QUERY_TOO_COMPLEX"
	// QueryTooDeep: the operation nests deeper than the depth limit.
	QueryTooDeep Code = "QUERY_TOO_DEEP"
	// PersistedQueryNotFound: an automatic persisted query hash is unknown; resend with the query.
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// CardBlocked: an activity card cannot be issued because a check blocks it (the
	// recipient already holds a card in the programme, is outside its age range, the
	// programme has no cards left or is not open). Reason names the first blocking finding,
	// e.g. ALREADY_HAS_CARD; the findings come with the error.
	CardBlocked Code = "CARD_BLOCKED"
	// OverrideRequired: the checks before issuing an activity card gave warnings (a
	// guardian has another child with a card, say); issue again with a written reason to
	// override them. Reason names the first warning; the findings come with the error.
	OverrideRequired Code = "OVERRIDE_REQUIRED"
	// CardNotActive: the activity card cannot claim tickets now: it is suspended, revoked,
	// or not valid yet (Reason SUSPENDED, REVOKED or NOT_YET_VALID).
	CardNotActive Code = "CARD_NOT_ACTIVE"
	// CardExpired: the activity card is past its last valid day.
	CardExpired Code = "CARD_EXPIRED"
	// OfferNotAvailable: the ticket offer cannot be claimed from now (Reason PAUSED, DRAFT,
	// ENDED, NOT_YET_OPEN or CLOSED).
	OfferNotAvailable Code = "OFFER_NOT_AVAILABLE"
	// OfferNotInProgramme: the offer is not open to the card's programme.
	OfferNotInProgramme Code = "OFFER_NOT_IN_PROGRAMME"
	// NotEligible: the card holder's age is outside the offer's age range.
	NotEligible Code = "NOT_ELIGIBLE"
	// LimitReached: the card already has as many tickets of the offer as one card may.
	LimitReached Code = "LIMIT_REACHED"
	// AllowanceUsed: the card has used its whole ticket allowance.
	AllowanceUsed Code = "ALLOWANCE_USED"
	// SoldOut: every released ticket of the offer is taken.
	SoldOut Code = "SOLD_OUT"
	// TicketNotCancellable: the ticket was redeemed, has expired or is already cancelled,
	// or the offer's cancelling deadline has passed (Reason REDEEMED, EXPIRED, CANCELLED or
	// DEADLINE_PASSED).
	TicketNotCancellable Code = "TICKET_NOT_CANCELLABLE"
	// TicketNotFound: at the door, the code is not a ticket the caller may check: unknown,
	// mistyped, or another organisation's. The answer is the same whatever the reason.
	TicketNotFound Code = "TICKET_NOT_FOUND"
	// AlreadyRedeemed: the ticket was checked in before; the message says when.
	AlreadyRedeemed Code = "ALREADY_REDEEMED"
	// TicketCancelled: the ticket shown at the door was cancelled.
	TicketCancelled Code = "TICKET_CANCELLED"
	// TicketExpired: the ticket shown at the door is past its validity.
	TicketExpired Code = "TICKET_EXPIRED"
	// TicketNotYetValid: the ticket shown at the door is not valid yet (an event's ticket
	// works from the event's day).
	TicketNotYetValid Code = "TICKET_NOT_YET_VALID"
	// EmailNotVerified: the e-mail and password are right, but the account's address has
	// not been confirmed yet; open the link sent to it, or ask for a new one with
	// resendConfirmation. Only a correct password gets this answer.
	EmailNotVerified Code = "EMAIL_NOT_VERIFIED"
	// WalletNotAvailable: the phone wallet asked for is not set up on this server (its
	// settings are missing); Data names the setting. The query cardWallets lists those set up.
	WalletNotAvailable Code = "WALLET_NOT_AVAILABLE"
	// PushNotAvailable: Web Push is not set up on this server (no VAPID keys); the error's
	// Field names the operation's field. Nothing was kept.
	PushNotAvailable Code = "PUSH_NOT_AVAILABLE"
	// QuestionsDisabled: residents' questions are off in the municipality (Reason
	// MUNICIPALITY) or closed by the activity's or event's organisation (ORGANISATION).
	QuestionsDisabled Code = "QUESTIONS_DISABLED"
)

// Error is an application error: a Code, a message ID for localisation with its template
// data, an optional Field that names the offending input, and an optional cause.
type Error struct {
	Code Code
	// MessageID names the go-i18n message; empty means the code's generic message.
	MessageID string
	// Data fills the message template.
	Data map[string]any
	// Field is the input path that is wrong, e.g. "input.slug".
	Field string
	// Reason is an optional stable sub-code that says which rule the input broke (for a
	// BAD_USER_INPUT on an identity number: CHECK_DIGIT, LENGTH, ...); sent as
	// extensions.reason.
	Reason string
	// Err is the underlying cause; logged, never shown.
	Err error
}

// Error returns a developer-facing description (English, unlocalised).
func (e *Error) Error() string {
	s := string(e.Code)
	if e.MessageID != "" {
		s += ": " + e.MessageID
	}
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with the code and message ID.
func New(code Code, messageID string) *Error {
	return &Error{Code: code, MessageID: messageID}
}

// Invalid returns a BAD_USER_INPUT error for field with the message ID and template data.
func Invalid(field, messageID string, data map[string]any) *Error {
	return &Error{Code: BadUserInput, MessageID: messageID, Field: field, Data: data}
}

// NotFoundf returns a NOT_FOUND error for the kind of item named.
func NotFoundf(kind string) *Error {
	return &Error{Code: NotFound, Data: map[string]any{"Kind": kind}}
}

// Wrap returns an *Error with code that keeps err as its cause.
func Wrap(code Code, messageID string, err error) *Error {
	return &Error{Code: code, MessageID: messageID, Err: err}
}

// WithField returns a copy of e that names field.
func (e *Error) WithField(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// WithReason returns a copy of e with the stable sub-code reason.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns err's code: the code of the *Error in its chain, or INTERNAL. A nil
// error has no code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}
