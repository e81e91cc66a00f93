package events

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// LDContext is what an event's JSON-LD says beyond the event itself.
type LDContext struct {
	// URL is the event's public page.
	URL string
	// Venue is the event's venue, nil for none.
	Venue *Venue
	// Organiser is the organisation's name and website; empty: the municipality (Municipality).
	Organiser, OrganiserURL, Municipality string
	// Series is the series the event is an occurrence of, nil for none.
	Series *Series
	// Images are the URLs of the event's images, in order.
	Images []string
}

// schemaStatus maps a status to schema.org's eventStatus.
var schemaStatus = map[Status]string{StatusScheduled: "https://schema.org/EventScheduled",
	StatusCancelled: "https://schema.org/EventCancelled", StatusPostponed: "https://schema.org/EventPostponed",
	StatusRescheduled: "https://schema.org/EventRescheduled"}

// LinkedData returns the event as a schema.org Event in JSON-LD (what search engines read for
// their event listings): name, dates with their offset (dates alone for an all-day
// event), eventStatus, location as a Place with its address and geo, offers (the price in
// NOK, or free), organizer, inLanguage, image, and for an occurrence of a series its
// eventSchedule.
func (e *Event) LinkedData(c LDContext) ([]byte, error) {
	loc := zoneOf(e.TimeZone)
	doc := map[string]any{
		"@context": "https://schema.org", "@type": "Event", "name": e.Title,
		"startDate": ldTime(e.StartsAt, e.AllDay, loc, false), "endDate": ldTime(e.EndsAt, e.AllDay, loc, true),
		"eventStatus":         schemaStatus[e.Status],
		"eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
		"isAccessibleForFree": e.Free(),
	}
	if e.TextLocale != "" {
		doc["inLanguage"] = e.TextLocale
	}
	if desc := e.Summary; desc != "" {
		doc["description"] = desc
	} else if e.Description != nil && e.Description.PlainText != "" {
		doc["description"] = e.Description.PlainText
	}
	if c.URL != "" {
		doc["url"] = c.URL
	}
	if len(c.Images) > 0 {
		doc["image"] = c.Images
	}
	if e.Status == StatusRescheduled && e.RecurrenceStart != nil && !e.RecurrenceStart.Equal(e.StartsAt) {
		doc["previousStartDate"] = ldTime(*e.RecurrenceStart, e.AllDay, loc, false)
	}
	place := map[string]any{"@type": "Place", "name": e.Place}
	if v := c.Venue; v != nil {
		place["name"] = v.Name
		place["address"] = map[string]any{"@type": "PostalAddress", "streetAddress": v.Street,
			"postalCode": v.PostalCode, "addressLocality": v.Place, "addressCountry": "NO"}
		if v.Lat != nil && v.Lon != nil {
			place["geo"] = map[string]any{"@type": "GeoCoordinates", "latitude": *v.Lat, "longitude": *v.Lon}
		}
	}
	if place["name"] != "" || place["address"] != nil {
		doc["location"] = place
	}
	offer := map[string]any{"@type": "Offer", "price": fmt.Sprintf("%d.%02d", e.PriceOre/100, e.PriceOre%100),
		"priceCurrency": "NOK", "availability": "https://schema.org/InStock"}
	if c.URL != "" {
		offer["url"] = c.URL
	}
	doc["offers"] = offer
	if c.Organiser != "" {
		org := map[string]any{"@type": "Organization", "name": c.Organiser}
		if c.OrganiserURL != "" {
			org["url"] = c.OrganiserURL
		}
		doc["organizer"] = org
	} else if c.Municipality != "" {
		doc["organizer"] = map[string]any{"@type": "GovernmentOrganization", "name": c.Municipality}
	}
	if c.Series != nil {
		if s := ldSchedule(c.Series); s != nil {
			doc["eventSchedule"] = s
		}
	}
	return json.Marshal(doc)
}

// ldTime is t as ISO 8601 with its offset in loc, or its date for an all-day event (the
// last day for an end).
func ldTime(t time.Time, allDay bool, loc *time.Location, end bool) string {
	t = t.In(loc)
	if allDay {
		if end && t.Hour() == 0 && t.Minute() == 0 {
			t = t.Add(-time.Nanosecond)
		}
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

var ldFreq = map[rrule.Frequency]string{rrule.DAILY: "P1D", rrule.WEEKLY: "P1W", rrule.MONTHLY: "P1M",
	rrule.YEARLY: "P1Y"}

var ldDays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// ldSchedule is the series' rule as a schema.org Schedule, nil when it has no rule.
func ldSchedule(sr *Series) map[string]any {
	if strings.TrimSpace(sr.RRule) == "" {
		return nil
	}
	loc := zoneOf(sr.TimeZone)
	opt, err := rrule.StrToROptionInLocation(strings.TrimPrefix(sr.RRule, "RRULE:"), loc)
	if err != nil {
		return nil
	}
	start := sr.StartsAt.In(loc)
	s := map[string]any{"@type": "Schedule", "scheduleTimezone": sr.TimeZone, "startDate": start.Format(time.DateOnly),
		"startTime": start.Format("15:04:05"), "endTime": sr.EndsAt().In(loc).Format("15:04:05")}
	freq := ldFreq[opt.Freq]
	if opt.Interval > 1 {
		freq = strings.Replace(freq, "1", fmt.Sprint(opt.Interval), 1)
	}
	s["repeatFrequency"] = freq
	if opt.Count > 0 {
		s["repeatCount"] = opt.Count
	}
	if !opt.Until.IsZero() {
		s["endDate"] = opt.Until.In(loc).Format(time.DateOnly)
	}
	var days []string
	for _, d := range opt.Byweekday {
		days = append(days, "https://schema.org/"+ldDays[d.Day()])
	}
	if len(days) > 0 {
		s["byDay"] = days
	}
	if len(opt.Bymonthday) > 0 {
		s["byMonthDay"] = opt.Bymonthday
	}
	if len(opt.Bymonth) > 0 {
		s["byMonth"] = opt.Bymonth
	}
	var except []string
	for _, x := range sr.ExDates {
		except = append(except, x.In(loc).Format(time.RFC3339))
	}
	if len(except) > 0 {
		s["exceptDate"] = except
	}
	return s
}
