package events

import (
	"net/url"
	"strings"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
)

// icalZone is the time zone a feed gives wall-clock times in, with its VTIMEZONE; events
// in zones with another clock are given in UTC.
const icalZone = "Europe/Oslo"

// ICalOptions are what a feed's entries link to and are named by.
type ICalOptions struct {
	// Name is the calendar's name (X-WR-CALNAME).
	Name string
	// PublicURL is the public site an entry's URL points into (/arrangementer/<slug>).
	PublicURL string
	// Host makes the UIDs (<id>@<host>): the public site's host, or the municipality's slug.
	Host string
}

// ICal writes the feed as an iCalendar stream (RFC 5545): an event as a VEVENT, a series
// as one VEVENT with its RRULE, RDATEs and EXDATEs and a VEVENT with a RECURRENCE-ID per
// occurrence changed on its own. Times are wall clock in Europe/Oslo with its VTIMEZONE,
// all-day events dates (VALUE=DATE). The output depends only on the feed (DTSTAMP is the
// entry's last change), so equal feeds give equal bytes.
func (f *Feed) ICal(o ICalOptions) []byte {
	cal := ics.NewCalendarFor("fritid")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(o.Name)
	cal.SetXWRCalName(o.Name)
	cal.SetXWRTimezone(icalZone)
	cal.AddVTimezone(osloTimezone())
	w := &icalWriter{o: o, lang: f.Locale}
	for _, e := range f.Events {
		cal.AddVEvent(w.event(e, e.ID, nil))
	}
	for _, sr := range f.Series {
		cal.AddVEvent(w.series(sr))
		for _, ov := range sr.Overrides {
			cal.AddVEvent(w.event(ov, sr.ID, ov.RecurrenceStart))
		}
	}
	return []byte(cal.Serialize(ics.WithNewLine("\r\n")))
}

type icalWriter struct {
	o    ICalOptions
	lang string
}

func (w *icalWriter) uid(id string) string { return id + "@" + w.o.Host }

// event is e as a VEVENT under uid id, the occurrence at recurrence of that series when
// recurrence is set.
func (w *icalWriter) event(e *FeedEvent, id interface{ String() string }, recurrence *time.Time) *ics.VEvent {
	ev := ics.NewEvent(w.uid(id.String()))
	ev.SetDtStampTime(e.UpdatedAt)
	ev.SetModifiedAt(e.UpdatedAt)
	ev.SetCreatedTime(e.CreatedAt)
	ev.SetSequence(e.Sequence)
	if recurrence != nil {
		v, ps := icalTime(*recurrence, e.AllDay, e.TimeZone, false)
		ev.SetProperty(ics.ComponentPropertyRecurrenceId, v, ps...)
	}
	w.times(ev, e.StartsAt, e.EndsAt, &e.Attrs)
	w.common(ev, &e.Attrs, e.Texts, e.Slug, e.Venue, e.Categories)
	return ev
}

// series is sr as one recurring VEVENT.
func (w *icalWriter) series(sr *FeedSeries) *ics.VEvent {
	attrs := sr.Template.Attrs
	attrs.TimeZone = sr.TimeZone
	a := &attrs
	ev := ics.NewEvent(w.uid(sr.ID.String()))
	ev.SetDtStampTime(sr.UpdatedAt)
	ev.SetModifiedAt(sr.UpdatedAt)
	ev.SetCreatedTime(sr.CreatedAt)
	ev.SetSequence(sr.Sequence)
	w.times(ev, sr.StartsAt, sr.EndsAt(), a)
	if sr.RRule != "" {
		ev.AddRrule(strings.TrimPrefix(sr.RRule, "RRULE:"))
	}
	for _, d := range sr.RDates {
		v, ps := icalTime(d, a.AllDay, sr.TimeZone, false)
		ev.AddRdate(v, ps...)
	}
	for _, d := range sr.ExDates {
		v, ps := icalTime(d, a.AllDay, sr.TimeZone, false)
		ev.AddExdate(v, ps...)
	}
	w.common(ev, a, sr.Texts, sr.Slug, sr.Venue, sr.Categories)
	return ev
}

func (w *icalWriter) times(ev *ics.VEvent, start, end time.Time, a *Attrs) {
	v, ps := icalTime(start, a.AllDay, a.TimeZone, false)
	ev.SetProperty(ics.ComponentPropertyDtStart, v, ps...)
	v, ps = icalTime(end, a.AllDay, a.TimeZone, true)
	if !a.AllDay && !end.After(start) {
		return
	}
	ev.SetProperty(ics.ComponentPropertyDtEnd, v, ps...)
}

func (w *icalWriter) common(ev *ics.VEvent, a *Attrs, tx Texts, slug string, v *Venue, cats []string) {
	ev.SetSummary(plain(tx.Title))
	desc := plain(tx.Summary)
	if tx.Description != nil && tx.Description.PlainText != "" {
		if desc != "" {
			desc += "\n\n"
		}
		desc += plain(tx.Description.PlainText)
	}
	if desc != "" {
		ev.SetDescription(desc)
	}
	switch a.Status {
	case StatusCancelled:
		ev.SetStatus(ics.ObjectStatusCancelled)
	case StatusPostponed:
		ev.SetStatus(ics.ObjectStatusTentative)
	default:
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	loc := plain(a.Place)
	if v != nil {
		loc = strings.TrimPrefix(strings.TrimSuffix(v.Address()+", "+loc, ", "), ", ")
		if v.Lat != nil && v.Lon != nil {
			ev.SetGeo(*v.Lat, *v.Lon)
		}
	}
	if loc != "" {
		ev.SetLocation(loc)
	}
	if w.o.PublicURL != "" {
		ev.SetURL(w.o.PublicURL + "/arrangementer/" + url.PathEscape(slug) + "?lang=" + url.QueryEscape(w.lang))
	}
	for _, c := range cats {
		ev.AddCategory(plain(c))
	}
}

// plain is s with line breaks as LF alone and no other control characters, which RFC 5545
// text does not allow.
func plain(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// icalTime is t as an iCalendar value: a date for an all-day event (the day after for an
// end, which RFC 5545 makes exclusive), wall clock with TZID=Europe/Oslo for events in a
// zone with Oslo's clock (osloClock), else UTC.
func icalTime(t time.Time, allDay bool, zone string, end bool) (string, []ics.PropertyParameter) {
	loc := zoneOf(zone)
	if allDay {
		d := t.In(loc)
		if end {
			// An all-day event ends at the end of its last day or at the start of the next.
			d = d.Add(-time.Nanosecond)
			d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
		}
		return d.Format("20060102"), []ics.PropertyParameter{ics.WithValue(string(ics.ValueDataTypeDate))}
	}
	if osloClock(zone) {
		return t.In(zoneOf(icalZone)).Format("20060102T150405"), []ics.PropertyParameter{ics.WithTZID(icalZone)}
	}
	return t.UTC().Format("20060102T150405Z"), nil
}

var osloClocks sync.Map // zone name -> bool

// osloClock reports whether zone keeps Europe/Oslo's clock (the same offsets, switched at
// the same instants) from 1996, when Norway took the EU rule, to 2100: Arctic/Longyearbyen
// and the other CET zones do. Its times are then written wall clock in Oslo, so a series'
// RRULE keeps its clock time across the daylight-saving switches in every calendar app;
// a zone with other rules is written in UTC.
func osloClock(zone string) bool {
	if zone == icalZone {
		return true
	}
	if v, ok := osloClocks.Load(zone); ok {
		return v.(bool)
	}
	a, b := zoneOf(zone), zoneOf(icalZone)
	same := zone != ""
	end := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	for t := time.Date(1996, 1, 1, 0, 0, 0, 0, time.UTC); same && t.Before(end); {
		_, oa := t.In(a).Zone()
		_, ob := t.In(b).Zone()
		_, na := t.In(a).ZoneBounds()
		_, nb := t.In(b).ZoneBounds()
		same = oa == ob && na.Equal(nb)
		switch {
		case na.IsZero():
			t = end // no more switches
		case na.After(t):
			t = na
		default: // ZoneBounds may answer the instant itself (at some year ends): step past it
			t = t.Add(24 * time.Hour)
		}
	}
	osloClocks.Store(zone, same)
	return same
}

var zones sync.Map // name -> *time.Location

// zoneOf returns the time zone name, UTC when it is unknown; loaded once.
func zoneOf(name string) *time.Location {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}

// osloTimezone is Europe/Oslo's VTIMEZONE: CET, and CEST from the last Sunday of March to
// the last Sunday of October (the EU rule Norway follows since 1996).
func osloTimezone() *ics.VTimezone {
	tz := ics.NewTimezone(icalZone)
	dl := &ics.Daylight{}
	dl.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0100")
	dl.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0200")
	dl.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CEST")
	dl.SetProperty(ics.ComponentPropertyDtStart, "19700329T020000")
	dl.SetProperty(ics.ComponentPropertyRrule, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
	st := tz.AddStandard()
	st.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0200")
	st.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0100")
	st.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CET")
	st.SetProperty(ics.ComponentPropertyDtStart, "19701025T030000")
	st.SetProperty(ics.ComponentPropertyRrule, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
	tz.Components = append([]ics.Component{dl}, tz.Components...)
	return tz
}
