package card

import (
	"context"
	"sort"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/database"
)

// An offer's released tickets are kept in stock slots (card_offer_stock_slots), up to
// stockSlots rows per offer, so that claims on one popular offer take from different rows
// at once: a claim holds the row it takes from until its commit, through the commit's WAL
// flush, and with one row per offer every claim waited for the flush of the one before it.
// The offer's released is the sum of its slots' (checked at commit by the database); its
// claimed is the sum of theirs (offerClaimedColumn). A ticket records its slot, and a
// cancelled ticket returns its unit there.
const stockSlots = 16

// offerClaimedColumn selects an offer's (alias o) claimed tickets: the sum over its slots.
const offerClaimedColumn = `(SELECT coalesce(sum(sl.claimed), 0) FROM card_offer_stock_slots sl
	WHERE sl.offer_id = o.id)::integer AS claimed`

// offerHasStock is true for an offer (alias o) with a released ticket left in a slot.
const offerHasStock = `EXISTS (SELECT 1 FROM card_offer_stock_slots sl
	WHERE sl.offer_id = o.id AND sl.claimed < sl.released)`

// releaseIntoSlots adds amount released tickets to the offer's slots, evening out what is
// left in each, so claims spread over all of them. Adding to released never breaks
// claimed <= released, so concurrent claims need not be stopped: the slots are read
// unlocked, and a slot's left may be a little off the even share by the time it is written.
func releaseIntoSlots(ctx context.Context, tx bun.IDB, o *Offer, amount int) error {
	left := make([]int, stockSlots)
	rows, err := tx.QueryContext(ctx, "SELECT slot, released - claimed FROM card_offer_stock_slots WHERE offer_id = ?",
		o.ID)
	if err != nil {
		return database.MapError(err, "read stock slots", "offer")
	}
	defer rows.Close()
	for rows.Next() {
		var slot, n int
		if err := rows.Scan(&slot, &n); err != nil {
			return database.MapError(err, "read stock slots", "offer")
		}
		if slot < stockSlots {
			left[slot] = n
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err, "read stock slots", "offer")
	}
	add := spreadRelease(left, amount)
	var slots, adds []int
	for i, n := range add {
		if n > 0 {
			slots, adds = append(slots, i), append(adds, n)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO card_offer_stock_slots AS s (offer_id, slot, municipality_id, released)
		SELECT ?, x.slot, ?, x.n FROM unnest(?::smallint[], ?::integer[]) AS x(slot, n)
		ON CONFLICT (offer_id, slot) DO UPDATE SET released = s.released + EXCLUDED.released`,
		o.ID, o.MunicipalityID, pgdialect.Array(slots), pgdialect.Array(adds))
	return database.MapError(err, "release stock", "offer")
}

// spreadRelease returns how many of amount to add to each slot, given what each has left,
// so that what is left ends as even as it can: the emptiest slots are filled first, and
// the rest goes round.
func spreadRelease(left []int, amount int) []int {
	add := make([]int, len(left))
	order := make([]int, len(left))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return left[order[a]] < left[order[b]] })
	// Raise the k emptiest slots to the level of the next one, while amount lasts.
	k := 1
	level := left[order[0]]
	for amount > 0 {
		next := -1
		if k < len(order) {
			next = left[order[k]]
		}
		if next >= 0 && (next-level)*k <= amount {
			amount -= (next - level) * k
			level = next
			k++
			continue
		}
		// Share what is left among the k emptiest slots: each gets the same, the first
		// amount%k one more.
		each, extra := amount/k, amount%k
		for j := range k {
			add[order[j]] = level - left[order[j]] + each
			if j < extra {
				add[order[j]]++
			}
		}
		return add
	}
	for j := range k {
		add[order[j]] = level - left[order[j]]
	}
	return add
}
