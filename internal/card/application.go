package card

import (
	"bytes"
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// ApplicationKind is what an application (søknad) asks for.
type ApplicationKind string

// The application kinds: money for equipment, a cup or a camp, money on an existing card
// (TOP_UP), or a card itself (CARD, no amount).
const (
	ApplicationEquipment ApplicationKind = "EQUIPMENT"
	ApplicationCup       ApplicationKind = "CUP"
	ApplicationCamp      ApplicationKind = "CAMP"
	ApplicationTopUp     ApplicationKind = "TOP_UP"
	ApplicationCard      ApplicationKind = "CARD"
)

func (k ApplicationKind) valid() bool {
	switch k {
	case ApplicationEquipment, ApplicationCup, ApplicationCamp, ApplicationTopUp, ApplicationCard:
		return true
	}
	return false
}

// ApplicationStatus is where an application is in its case handling.
type ApplicationStatus string

// The application statuses. SUBMITTED -> IN_REVIEW -> APPROVED | REJECTED | NEEDS_INFO;
// NEEDS_INFO -> SUBMITTED (or IN_REVIEW, once reviewed) when the applicant answers; the
// applicant may withdraw (WITHDRAWN) while it is undecided, and appeal a rejection or a
// partial approval within AppealWindow (APPEALED), which a coordinator decides again.
const (
	ApplicationSubmitted ApplicationStatus = "SUBMITTED"
	ApplicationInReview  ApplicationStatus = "IN_REVIEW"
	ApplicationNeedsInfo ApplicationStatus = "NEEDS_INFO"
	ApplicationApproved  ApplicationStatus = "APPROVED"
	ApplicationRejected  ApplicationStatus = "REJECTED"
	ApplicationWithdrawn ApplicationStatus = "WITHDRAWN"
	ApplicationAppealed  ApplicationStatus = "APPEALED"
)

// ApplicantKind is who applied.
type ApplicantKind string

// The applicants: a guardian (or holder) signed in with ID-porten, a caseworker for their
// agency, or an organisation approved for the programme on a child's behalf.
const (
	ApplicantGuardian     ApplicantKind = "GUARDIAN"
	ApplicantCaseworker   ApplicantKind = "CASEWORKER"
	ApplicantOrganisation ApplicantKind = "ORGANISATION"
)

// ApplicationMode is how a programme decides its applications.
type ApplicationMode string

// The application modes: ASSESSED, each by a caseworker or coordinator; FIRST_COME,
// approved automatically in order of submission while the budget lasts, the rest left
// to be assessed.
const (
	ModeAssessed  ApplicationMode = "ASSESSED"
	ModeFirstCome ApplicationMode = "FIRST_COME"
)

func (m ApplicationMode) valid() bool { return m == ModeAssessed || m == ModeFirstCome }

// Deadlines of the Public Administration Act (forvaltningsloven) as fritid keeps them.
const (
	// answerMonths is how long after submission (or an appeal) an answer is due; past it
	// the applicant gets a notice of delay (foreløpig svar).
	answerMonths = 1
	// AppealWindow is how long after a decision the applicant may appeal it.
	AppealWindow = 21 * 24 * time.Hour
	// minDecisionReason is the shortest written reason for a decision.
	minDecisionReason = 10
)

// EarlierApplication (WARN): the same card, holder or applicant has another application
// in the programme, open or approved, submitted on Date. Approving needs a written reason.
const EarlierApplication FindingCode = "EARLIER_APPLICATION"

// Application is an application in a programme with its case handling. Identity numbers
// are never kept: HolderKey, GuardianKeys and ApplicantKey are keyed hashes. Findings are
// what the stopper found at submission, shown to caseworkers and coordinators only.
type Application struct {
	bun.BaseModel `bun:"table:card_applications,alias:ca"`

	ID             uuid.UUID         `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID         `bun:"municipality_id,type:uuid"`
	ProgrammeID    uuid.UUID         `bun:"programme_id,type:uuid"`
	CardID         *uuid.UUID        `bun:"card_id,type:uuid"`
	Kind           ApplicationKind   `bun:"kind"`
	AskedOre       *int64            `bun:"asked_ore"`
	Purpose        string            `bun:"purpose"`
	GivenName      *string           `bun:"given_name"`
	BirthDate      *time.Time        `bun:"birth_date,type:date"`
	HolderKey      []byte            `bun:"holder_key"`
	GuardianKeys   []byte            `bun:"guardian_keys,notnull"`
	ApplicantKind  ApplicantKind     `bun:"applicant_kind"`
	ApplicantKey   []byte            `bun:"applicant_key"`
	ApplicantID    *uuid.UUID        `bun:"applicant_id,type:uuid"`
	AgencyID       *uuid.UUID        `bun:"agency_id,type:uuid"`
	OrganisationID *uuid.UUID        `bun:"organisation_id,type:uuid"`
	ContactEmail   *string           `bun:"contact_email"`
	Findings       []*Finding        `bun:"findings,type:jsonb,notnull"`
	Status         ApplicationStatus `bun:"status"`
	SubmittedAt    time.Time         `bun:"submitted_at"`
	DueAt          time.Time         `bun:"due_at"`
	ReviewedAt     *time.Time        `bun:"reviewed_at"`
	InfoRequest    *string           `bun:"info_request"`
	Answer         *string           `bun:"answer"`
	ApprovedOre    *int64            `bun:"approved_ore"`
	CreditedOre    int64             `bun:"credited_ore"`
	DecisionReason *string           `bun:"decision_reason"`
	AutoDecided    bool              `bun:"auto_decided"`
	DecidedBy      *uuid.UUID        `bun:"decided_by,type:uuid"`
	DecidedAt      *time.Time        `bun:"decided_at"`
	AppealReason   *string           `bun:"appeal_reason"`
	AppealedAt     *time.Time        `bun:"appealed_at"`
	AppealHandler  *uuid.UUID        `bun:"appeal_handler,type:uuid"`
	DelayNoticeAt  *time.Time        `bun:"delay_notice_at"`
	WithdrawnAt    *time.Time        `bun:"withdrawn_at"`
}

// GlobalID returns the application's global ID.
func (a *Application) GlobalID() string { return relay.GlobalID("CardApplication", a.ID) }

// AppealDeadline returns the last moment the decision may be appealed, or nil when there
// is no decision to appeal.
func (a *Application) AppealDeadline() *time.Time {
	if a.DecidedAt == nil || !a.appealable() {
		return nil
	}
	t := a.DecidedAt.Add(AppealWindow)
	return &t
}

// appealable reports whether the decision is one the applicant may appeal: a rejection,
// or an approval of less than was asked.
func (a *Application) appealable() bool {
	partly := a.Status == ApplicationApproved && a.AskedOre != nil && a.ApprovedOre != nil && *a.ApprovedOre < *a.AskedOre
	return (a.Status == ApplicationRejected || partly) && a.AppealedAt == nil
}

// undecided reports whether the application waits for a decision.
func (a *Application) undecided() bool {
	switch a.Status {
	case ApplicationSubmitted, ApplicationInReview, ApplicationNeedsInfo, ApplicationAppealed:
		return true
	}
	return false
}

// forApplicant returns a as its applicant sees it: the stopper's findings are for
// caseworkers and coordinators, so only a caseworker who applied sees them.
func (a *Application) forApplicant() *Application {
	if a.ApplicantKind != ApplicantCaseworker {
		a.Findings = nil
	}
	return a
}

// guardianKeyList splits the stored guardian keys.
func (a *Application) guardianKeyList() [][]byte {
	var out [][]byte
	for k := a.GuardianKeys; len(k) >= 32; k = k[32:] {
		out = append(out, k[:32])
	}
	return out
}

// ApplicationInput is an application to submit. CardID or CardNumber names the card money
// goes to (needed for TOP_UP, and for EQUIPMENT, CUP and CAMP unless the programme is a
// fund); an organisation names its card by number, as on an invoice. AskedOre is the
// amount (not for CARD). For CARD: the holder's identity number, given name and birth date,
// and guardians' numbers (a guardian applying is one). OrganisationID files it for an
// organisation; ContactEmail is where notices go (optional).
type ApplicationInput struct {
	ProgrammeID             uuid.UUID
	Kind                    ApplicationKind
	CardID                  *uuid.UUID
	CardNumber              string
	AskedOre                *int64
	Purpose                 string
	HolderIdentityNumber    string
	GivenName               string
	BirthDate               *time.Time
	GuardianIdentityNumbers []string
	OrganisationID          *uuid.UUID
	ContactEmail            string
}

// applicant is who submits or acts on an application, as the caller proved it.
type applicant struct {
	kind   ApplicantKind
	key    []byte
	agency *Agency
	org    *uuid.UUID
}

// applicantOf returns who the caller applies as: an organisation's OWNER or EDITOR when
// orgID is given, a caseworker of an agency, or a resident signed in with ID-porten.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) applicantOf(ctx context.Context, c caller, orgID *uuid.UUID) (*applicant, error) {
	switch {
	case orgID != nil:
		if c.v == nil || c.v.User == nil {
			return nil, apperr.New(apperr.Unauthenticated, "")
		}
		// SECURITY: an organisation's OWNER or EDITOR files for it.
		if err := s.memberOf(ctx, s.db, c, *orgID, "OWNER", "EDITOR"); err != nil {
			return nil, named(err, "input.organisationId")
		}
		return &applicant{kind: ApplicantOrganisation, org: orgID}, nil
	case c.v != nil && c.v.User != nil:
		// SECURITY: a caseworker applies for their own agency; no other user applies.
		ag, err := caseworkerAgency(ctx, s.db, c)
		if err != nil {
			return nil, err
		}
		return &applicant{kind: ApplicantCaseworker, agency: ag}, nil
	}
	key, err := s.residentKey(c)
	if err != nil {
		return nil, err
	}
	return &applicant{kind: ApplicantGuardian, key: key}, nil
}

// residentKey returns the identity key of the resident signed in with ID-porten. Errors:
// UNAUTHENTICATED (no one signed in), FORBIDDEN (not signed in with ID-porten, or no
// identity number in the token).
func (s *Service) residentKey(c caller) ([]byte, error) {
	switch {
	case c.v == nil:
		return nil, apperr.New(apperr.Unauthenticated, "")
	case c.v.Identity == nil:
		return nil, apperr.New(apperr.Forbidden, "CardIdentityRequired")
	}
	// SECURITY: the identity number comes only from a verified ID token, never from input.
	var number string
	if s.opt.IdentityNumber != nil {
		number = s.opt.IdentityNumber(c.v.Identity)
	}
	n, err := identity.Parse(number, "identity")
	if err != nil {
		return nil, apperr.New(apperr.Forbidden, "CardIdentityRequired")
	}
	return s.identityKey(c.mid(), n), nil
}

// validateApplication checks the input's own fields and returns the tidied purpose and
// contact. Errors: BAD_USER_INPUT naming the field.
func validateApplication(in *ApplicationInput) error {
	if !in.Kind.valid() {
		return apperr.Invalid("input.kind", "ChoiceInvalid", nil)
	}
	switch {
	case in.Kind == ApplicationCard && in.AskedOre != nil:
		return apperr.Invalid("input.askedOre", "ApplicationNoAmountForCard", nil).WithReason("NOT_ALLOWED")
	case in.Kind != ApplicationCard && in.AskedOre == nil:
		return apperr.Invalid("input.askedOre", "AmountPositive", nil).WithReason("REQUIRED")
	case in.AskedOre != nil:
		if err := checkAmount(*in.AskedOre, "input.askedOre"); err != nil {
			return err
		}
	}
	purpose, err := portal.CheckText(in.Purpose, maxReason, "input.purpose")
	if err != nil {
		return err
	}
	if in.Purpose = purpose; purpose == "" {
		return apperr.Invalid("input.purpose", "ApplicationPurposeRequired", nil).WithReason("REQUIRED")
	}
	if identityLike.MatchString(purpose) {
		return apperr.Invalid("input.purpose", "InvoiceNoIdentityNumber", nil).WithReason("IDENTITY_NUMBER")
	}
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	if in.ContactEmail != "" && (len(in.ContactEmail) > 254 || !strings.Contains(in.ContactEmail, "@") ||
		strings.ContainsAny(in.ContactEmail, " \r\n<>,;")) {
		return apperr.Invalid("input.contactEmail", "EmailInvalid", nil)
	}
	return nil
}

// holderOf parses a CARD application's holder into a recipient, with the applying
// guardian's key among the guardians. Errors: BAD_USER_INPUT naming the field.
func (s *Service) holderOf(c caller, in ApplicationInput, who *applicant) (*recipient, error) {
	if in.BirthDate == nil {
		return nil, apperr.Invalid("input.birthDate", "DateRequired", nil)
	}
	r, err := s.parseRecipient(c.mid(), RecipientInput{ProgrammeID: in.ProgrammeID,
		HolderIdentityNumber: in.HolderIdentityNumber, GivenName: in.GivenName, BirthDate: *in.BirthDate,
		GuardianIdentityNumbers: in.GuardianIdentityNumbers}, s.today(c.t))
	if err != nil {
		return nil, err
	}
	if who.key != nil && !bytes.Equal(who.key, r.childKey) && !containsKey(r.guardianKeys, who.key) {
		r.guardianKeys = append(r.guardianKeys, who.key)
	}
	return r, nil
}

func containsKey(keys [][]byte, k []byte) bool {
	for _, x := range keys {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}

// applicationCard finds the card an application names (by ID or number) in programme p
// and checks that the applicant may name it: a guardian or holder their own card, a
// caseworker a card of their agency, an organisation any card by its number. Errors:
// NOT_FOUND naming "input.cardId" or "input.cardNumber", CARD_NOT_ACTIVE, CARD_EXPIRED,
// BAD_USER_INPUT naming "input.cardId" (a card of another programme).
func (s *Service) applicationCard(ctx context.Context, tx bun.IDB, c caller, in ApplicationInput, who *applicant) (
	*Card, error,
) {
	card := new(Card)
	field := "input.cardId"
	q := tx.NewSelect().Model(card).Where("c.municipality_id = ?", c.mid())
	if in.CardID != nil {
		q = q.Where("c.id = ?", *in.CardID)
	} else {
		field = "input.cardNumber"
		number, ok := code.Normalise(in.CardNumber)
		if !ok {
			return nil, apperr.Invalid(field, "CardNumberInvalid", nil)
		}
		q = q.Where("c.number = ?", number)
	}
	// SECURITY: only a card of the request's municipality.
	if err := q.Scan(ctx); err != nil {
		return nil, named(database.MapError(err, "find card", "card"), field)
	}
	if card.ProgrammeID != in.ProgrammeID {
		return nil, apperr.Invalid(field, "ApplicationCardOfOtherProgramme", nil).WithReason("OTHER_PROGRAMME")
	}
	switch {
	case who.kind == ApplicantGuardian && in.CardID != nil:
		// SECURITY: a resident names only their own card or their child's.
		if err := s.holdsCard(ctx, c, card.ID, nil); err != nil {
			return nil, named(err, field)
		}
	case who.kind == ApplicantCaseworker && in.CardID != nil:
		// SECURITY: a caseworker names only a card of their own agency.
		if card.AgencyID == nil || *card.AgencyID != who.agency.ID {
			return nil, named(apperr.NotFoundf("card"), field)
		}
	case who.kind != ApplicantOrganisation:
		// SECURITY: a card number alone proves nothing but for an organisation holding the
		// family's invoice; others name the card by ID.
		return nil, apperr.Invalid("input.cardId", "ApplicationCardRequired", nil).WithReason("REQUIRED")
	}
	if err := cardUsable(card, s.today(c.t)); err != nil {
		return nil, named(err, field)
	}
	return card, nil
}

// checkDecisionReason returns the trimmed reason of a decision, or BAD_USER_INPUT naming
// field with reason REQUIRED, TOO_SHORT or TOO_LONG.
func checkDecisionReason(reason, field string) (*string, error) {
	r, err := checkReason(reason, field, true)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(*r) < minDecisionReason {
		return nil, apperr.Invalid(field, "ApplicationReasonTooShort", map[string]any{"Min": minDecisionReason}).
			WithReason("TOO_SHORT")
	}
	return r, nil
}
