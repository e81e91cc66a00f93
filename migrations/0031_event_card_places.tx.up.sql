-- Card-holder places: a ticket claimed for an event's card place holds the link to its
-- sign-up, so the sign-up (and the organiser's list) names no card. Cancelling the ticket
-- frees the place; when the sign-up is erased (after the event), the link goes with it.
ALTER TABLE card_tickets ADD COLUMN event_signup_id uuid;
ALTER TABLE card_tickets ADD FOREIGN KEY (municipality_id, event_signup_id)
  REFERENCES event_signups (municipality_id, id) ON DELETE SET NULL (event_signup_id);
CREATE UNIQUE INDEX card_tickets_event_signup_idx ON card_tickets (event_signup_id)
  WHERE event_signup_id IS NOT NULL;
