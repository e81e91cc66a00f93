package card

import "github.com/google/uuid"

// The cells of the yearly report: every count in one statTable with the sums that tie
// them together, so that the statistics' rule (see MinCellCount) protects the whole report:
// the holders' total is the sum of the agencies' and of the age bands'; the tickets' and
// fees' totals the sum of the providers' and of the categories' (or purposes'); and within
// a row, claimed = redeemed + expired + cancelled + open and expired = no-shows + the
// others, as in the statistics (the cancelled, open and other expired tickets are cells of
// the sums only, never published).

// holderCells are the reached and took-part cells of a row of holders.
type holderCells struct{ reached, took *statCell }

// activityCells are the cells of a row of tickets and fees.
type activityCells struct {
	claimed, redeemed, expired, noShows, cancelled, open, expiredOther *statCell
	fees                                                               *statCell
	feeOre                                                             int64
	// purchased and donated are the redeemed tickets by who paid for them: cells of the
	// sums only, but the programme's purchased tickets are published through their value.
	purchased, donated *statCell
}

// newActivityCells makes the cells of a row and the sums within it.
func newActivityCells(tab *statTable, t *yearlyTicketRow, f *yearlyFeeRow) *activityCells {
	if t == nil {
		t = &yearlyTicketRow{}
	}
	if f == nil {
		f = &yearlyFeeRow{}
	}
	a := &activityCells{claimed: tab.cell(t.Claimed), redeemed: tab.cell(t.Redeemed), expired: tab.cell(t.Expired),
		noShows: tab.cell(t.NoShows), cancelled: tab.cell(t.Cancelled), open: tab.cell(t.Open),
		expiredOther: tab.cell(t.Expired - t.NoShows), fees: tab.cell(f.Fees), feeOre: f.Ore,
		purchased: tab.cell(t.Purchased), donated: tab.cell(t.Redeemed - t.Purchased)}
	tab.sum(a.claimed, a.redeemed, a.expired, a.cancelled, a.open)
	tab.sum(a.expired, a.noShows, a.expiredOther)
	tab.sum(a.redeemed, a.purchased, a.donated)
	return a
}

// knownZeros marks the no-shows of a row without an event, and the fees of a provider
// without leave to take them, as known when they are 0: which offers have a time and which
// providers are approved is published, so a count that must be 0 needs no protection.
func (a *activityCells) knownZeros(dated, approved bool) {
	a.noShows.known = !dated && a.noShows.n == 0
	a.fees.known = !approved && a.fees.n == 0
}

// cells returns the row's cells in a fixed order, for the sums between rows.
func (a *activityCells) cells() []*statCell {
	return []*statCell{a.claimed, a.redeemed, a.expired, a.noShows, a.cancelled, a.open, a.expiredOther, a.purchased,
		a.donated, a.fees}
}

// publish returns the row as published under name.
func (a *activityCells) publish(name string) *YearlyActivity {
	fees, ore := a.fees.count(), a.fees.amount(a.feeOre)
	return &YearlyActivity{Name: name, Claimed: a.claimed.count(), Redeemed: a.redeemed.count(),
		NoShows: a.noShows.count(), Expired: a.expired.count(), Fees: &fees, FeeOre: &ore}
}

// yearlyCells are all the cells of a report.
type yearlyCells struct {
	total                 holderCells
	agencies, bands       []holderCells
	held, issued, used    *statCell
	activity              *activityCells
	categories, providers []*activityCells
	purposes              []*statCell
	purposeOre            []int64
	grants, topUps, exps  *statCell
}

// allPurposes are the purposes of fees, in the report's order.
var allPurposes = []InvoicePurpose{PurposeMembership, PurposeParticipation, PurposeEquipment, PurposeCup, PurposeCamp,
	PurposeOther}

// key returns id, or uuid.Nil for none.
func key(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// cells makes the report's cells from the statements' rows, with their sums.
func (q *yearlyQuery) cells() *yearlyCells {
	tab, y := q.tab, &yearlyCells{}
	byAgency, byBand := map[uuid.UUID]*yearlyHolderRow{}, map[string]*yearlyHolderRow{}
	totalHolders := &yearlyHolderRow{}
	for _, r := range q.holders {
		switch {
		case r.GAgency == 0 && r.GBand == 1:
			byAgency[key(r.AgencyID)] = r
		case r.GAgency == 1 && r.GBand == 0 && r.Band != nil:
			byBand[*r.Band] = r
		case r.GAgency == 1 && r.GBand == 1:
			totalHolders = r
		}
	}
	holder := func(r *yearlyHolderRow) holderCells {
		if r == nil {
			r = &yearlyHolderRow{}
		}
		return holderCells{tab.cell(r.Reached), tab.cell(r.Took)}
	}
	y.total = holder(totalHolders)
	for _, ag := range q.names.agencies {
		y.agencies = append(y.agencies, holder(byAgency[ag.ID]))
	}
	for _, b := range q.names.bands {
		y.bands = append(y.bands, holder(byBand[b]))
	}
	for _, rows := range [][]holderCells{y.agencies, y.bands} {
		var reached, took []*statCell
		for _, h := range rows {
			reached, took = append(reached, h.reached), append(took, h.took)
		}
		tab.sum(y.total.reached, reached...)
		tab.sum(y.total.took, took...)
	}
	y.held, y.issued, y.used = tab.cell(totalHolders.Held), tab.cell(totalHolders.Issued), tab.cell(totalHolders.Used)
	q.activityCells(y)
	q.moneyCells(y)
	return y
}

// activityCells makes the cells of tickets and fees: the total, per category, per provider
// and per purpose.
func (q *yearlyQuery) activityCells(y *yearlyCells) {
	tab := q.tab
	byCategory, byProvider := map[uuid.UUID]*yearlyTicketRow{}, map[uuid.UUID]*yearlyTicketRow{}
	var totalTickets *yearlyTicketRow
	for _, r := range q.tickets {
		switch {
		case r.GCategory == 0 && r.GOrg == 1:
			byCategory[key(r.CategoryID)] = r
		case r.GCategory == 1 && r.GOrg == 0:
			byProvider[key(r.OrgID)] = r
		case r.GCategory == 1 && r.GOrg == 1:
			totalTickets = r
		}
	}
	feesByProvider, feesByPurpose := map[uuid.UUID]*yearlyFeeRow{}, map[InvoicePurpose]*yearlyFeeRow{}
	var totalFees *yearlyFeeRow
	for _, r := range q.fees {
		switch {
		case r.GOrg == 0 && r.GPurpose == 1:
			feesByProvider[key(r.OrgID)] = r
		case r.GOrg == 1 && r.GPurpose == 0 && r.Purpose != nil:
			feesByPurpose[*r.Purpose] = r
		case r.GOrg == 1 && r.GPurpose == 1:
			totalFees = r
		}
	}
	y.activity = newActivityCells(tab, totalTickets, totalFees)
	anyDated := false
	for _, c := range q.names.categories {
		a := newActivityCells(tab, byCategory[c.ID], nil)
		a.knownZeros(c.Dated, false)
		y.categories = append(y.categories, a)
		anyDated = anyDated || c.Dated
	}
	for _, p := range q.names.providers {
		a := newActivityCells(tab, byProvider[p.ID], feesByProvider[p.ID])
		a.knownZeros(p.Dated, p.Approved)
		y.providers = append(y.providers, a)
		anyDated = anyDated || p.Dated
	}
	y.activity.knownZeros(anyDated, true)
	total := y.activity.cells()
	for i, cell := range total {
		var providers, categories []*statCell
		for _, p := range y.providers {
			providers = append(providers, p.cells()[i])
		}
		tab.sum(cell, providers...)
		if cell == y.activity.fees {
			continue // a fee has no activity category
		}
		for _, c := range y.categories {
			categories = append(categories, c.cells()[i])
		}
		tab.sum(cell, categories...)
	}
	for _, p := range allPurposes {
		r := feesByPurpose[p]
		if r == nil {
			r = &yearlyFeeRow{}
		}
		y.purposes, y.purposeOre = append(y.purposes, tab.cell(r.Fees)), append(y.purposeOre, r.Ore)
	}
	tab.sum(y.activity.fees, y.purposes...)
}

// moneyCells makes the cells of the entries the money sums add up.
func (q *yearlyQuery) moneyCells(y *yearlyCells) {
	y.grants, y.topUps, y.exps = q.tab.cell(q.money.Grants), q.tab.cell(q.money.TopUps), q.tab.cell(q.money.Expiries)
}

// fill publishes the cells, suppressed, into r.
func (q *yearlyQuery) fill(r *CardYearlyReport, y *yearlyCells) {
	r.HoldersReached, r.HoldersTookPart = y.total.reached.count(), y.total.took.count()
	for i, ag := range q.names.agencies {
		r.HoldersByAgency = append(r.HoldersByAgency,
			&YearlyHolders{Name: ag.Name, Reached: y.agencies[i].reached.count(), TookPart: y.agencies[i].took.count()})
	}
	for i, b := range q.names.bands {
		r.HoldersByAgeBand = append(r.HoldersByAgeBand,
			&YearlyHolders{Name: b, Reached: y.bands[i].reached.count(), TookPart: y.bands[i].took.count()})
	}
	r.CardsHeld, r.CardsIssued, r.CardsUsed = y.held.count(), y.issued.count(), y.used.count()
	r.CardsUsedShare = ratio(y.used, y.held)
	r.Activity = y.activity.publish("")
	for i, c := range q.names.categories {
		row := y.categories[i].publish(c.Name)
		row.Fees, row.FeeOre = nil, nil // a fee has no activity category
		r.ByCategory = append(r.ByCategory, row)
	}
	for i, p := range q.names.providers {
		r.ByProvider = append(r.ByProvider, y.providers[i].publish(p.Name))
	}
	for i, p := range allPurposes {
		r.FeesByPurpose = append(r.FeesByPurpose,
			&YearlyFees{Purpose: p, Fees: y.purposes[i].count(), Ore: y.purposes[i].amount(y.purposeOre[i])})
	}
	m, b := q.money, q.budget
	r.Money = &YearlyMoney{BudgetOre: b.BudgetOre, AsOf: q.today,
		Granted: y.grants.amount(m.Granted), ToppedUp: y.topUps.amount(m.ToppedUp),
		Spent: y.activity.fees.amount(y.activity.feeOre), Tickets: y.activity.purchased.amount(totalOre(q.tickets)),
		Expired:   y.exps.amount(m.Expired),
		Committed: y.held.amount(b.CommittedOre), Left: y.held.amount(b.LeftOre())}
}

// totalOre returns the value of the PURCHASED tickets redeemed, from the total row.
func totalOre(rows []*yearlyTicketRow) int64 {
	for _, r := range rows {
		if r.GCategory == 1 && r.GOrg == 1 {
			return r.PurchasedOre
		}
	}
	return 0
}
