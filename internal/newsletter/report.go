package newsletter

import (
	"bufio"
	"io"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// A returned message is read with go-message, as far as fritid needs it and no further:
//
//   - a delivery status notification (RFC 3464: multipart/report with a
//     message/delivery-status part, or message/global-delivery-status of RFC 6533) is a
//     hard bounce when a recipient's Action is "failed" with a permanent (5.x.x) Status;
//     a delay or a temporary failure (4.x.x) is not;
//   - a feedback report (ARF, RFC 5965: multipart/report with a message/feedback-report
//     part) is a complaint when its Feedback-Type is "abuse";
//   - the delivery is named by a token in the address the message came to (the envelope
//     recipient the mail server passes, else Delivered-To, X-Original-To, To), else by the
//     X-Fritid-Delivery field of the returned original (message/rfc822 or
//     text/rfc822-headers) inside the report, or a feedback report's Original-Mail-From.
//
// Everything else (an auto-reply, a malformed message) says nothing. Nothing of the message
// is kept.

// DeliveryHeader is the header field of list e-mails that carries their return-path token,
// for the reports (complaints above all) that come back to another address.
const DeliveryHeader = "X-Fritid-Delivery"

// report is what an incoming message says.
type report struct {
	// to are the tokens of the addresses it came to, the envelope recipient first.
	to []string
	// returned are the tokens of the report about the original: its Original-Mail-From
	// (a feedback report's) and its X-Fritid-Delivery field.
	returned []string
	// hard is true for a delivery status report with a recipient failed permanently.
	hard bool
	// complaint is true for a feedback report of type abuse.
	complaint bool
}

// Limits on what is read of one message.
const (
	maxReportDepth = 5
	maxReportParts = 50
	maxStatusBytes = 64 << 10
	maxStatusBlock = 500
)

// addressToken finds a return-path token in an address: the characters between "+" (or a
// space, where a form-decoded query turned "+" into one) and "@".
var addressToken = regexp.MustCompile(`(?i)[+ ]([a-z2-7]{31}|[a-z2-7]{44})@`)

// bareToken is a token alone, as the X-Fritid-Delivery field carries it.
var bareToken = regexp.MustCompile(`(?i)^([a-z2-7]{31}|[a-z2-7]{44})$`)

// permanent is a permanent-failure status code of RFC 3463.
var permanent = regexp.MustCompile(`^5\.[0-9]{1,3}\.[0-9]{1,3}$`)

// parseReport reads an incoming message r that came to the envelope recipient (which may
// be empty). It never fails: what cannot be read says nothing.
func parseReport(recipient string, r io.Reader) report {
	var rep report
	rep.to = addressTokens(rep.to, recipient)
	e, err := message.Read(r)
	if e == nil {
		return rep
	}
	for _, k := range []string{"Delivered-To", "X-Original-To", "To"} {
		for _, v := range e.Header.Values(k) {
			rep.to = addressTokens(rep.to, v)
		}
	}
	if err == nil || message.IsUnknownCharset(err) || message.IsUnknownEncoding(err) {
		rep.walk(e, 0, false)
	}
	return rep
}

// addressTokens appends the tokens found in s to out.
func addressTokens(out []string, s string) []string {
	for _, m := range addressToken.FindAllStringSubmatch(s, 4) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// walk reads entity e, at depth, as a part of a multipart/report when inReport.
func (rep *report) walk(e *message.Entity, depth int, inReport bool) {
	mt, _, _ := e.Header.ContentType()
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if depth < maxReportDepth {
			rep.walkParts(e, depth, mt == "multipart/report")
		}
	case !inReport:
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		rep.hard = rep.hard || failedPermanently(e.Body)
	case mt == "message/feedback-report":
		h, _ := textproto.ReadHeader(bufio.NewReader(io.LimitReader(e.Body, maxStatusBytes)))
		rep.complaint = rep.complaint || strings.EqualFold(firstWord(h.Get("Feedback-Type")), "abuse")
		rep.returned = addressTokens(rep.returned, h.Get("Original-Mail-From"))
	case mt == "message/rfc822" || mt == "text/rfc822-headers" || mt == "message/global" ||
		mt == "message/global-headers":
		h, _ := textproto.ReadHeader(bufio.NewReader(io.LimitReader(e.Body, maxStatusBytes)))
		for _, v := range h.Values(DeliveryHeader) {
			if m := bareToken.FindStringSubmatch(strings.TrimSpace(v)); m != nil {
				rep.returned = append(rep.returned, strings.ToLower(m[1]))
			}
		}
	}
}

// walkParts reads the parts of multipart entity e.
func (rep *report) walkParts(e *message.Entity, depth int, isReport bool) {
	mr := e.MultipartReader()
	if mr == nil {
		return
	}
	for range maxReportParts {
		p, err := mr.NextPart()
		if p == nil {
			return
		}
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return
		}
		rep.walk(p, depth+1, isReport)
	}
}

// failedPermanently reads the blocks of a delivery-status part (the per-message fields,
// then those of each recipient) and reports whether a recipient failed with a 5.x.x status.
func failedPermanently(body io.Reader) bool {
	br := bufio.NewReader(io.LimitReader(body, maxStatusBytes))
	for range maxStatusBlock {
		h, err := textproto.ReadHeader(br)
		action := strings.ToLower(firstWord(h.Get("Action")))
		if action == "failed" && permanent.MatchString(firstWord(h.Get("Status"))) {
			return true
		}
		if err != nil || atEOF(br) {
			return false
		}
	}
	return false
}

// firstWord returns the first word of a field's value (a status may be followed by a
// comment).
func firstWord(v string) string {
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}

// atEOF reports whether br has nothing more than blank lines left.
func atEOF(br *bufio.Reader) bool {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return true
		}
		if b[0] != '\r' && b[0] != '\n' {
			return false
		}
		if _, err := br.ReadByte(); err != nil {
			return true
		}
	}
}
