-- Tickets in the phone's wallet. A pass is a ticket put in a wallet (Apple or Google); the
-- door's code stays in card_tickets. Apple passes carry a random web service token per
-- download, of which only the hash is kept; devices that registered a pass for updates
-- keep their library identifier and push token here until the ticket's retention ends.
CREATE TABLE card_wallet_passes (
  ticket_id        uuid PRIMARY KEY REFERENCES card_tickets ON DELETE CASCADE,
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  -- google: a Save to Google Wallet link was issued, so a change is patched there too.
  google           boolean NOT NULL DEFAULT false,
  -- locale: the language the pass was issued in, for its updates.
  locale           text NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
  -- changed_at: when the pass last changed (the update tag of the web service).
  changed_at       timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_wallet_passes_municipality_idx ON card_wallet_passes (municipality_id);

CREATE TABLE card_wallet_tokens (
  token_hash       bytea PRIMARY KEY,
  ticket_id        uuid NOT NULL REFERENCES card_wallet_passes ON DELETE CASCADE,
  municipality_id  uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_wallet_tokens_ticket_idx ON card_wallet_tokens (ticket_id, created_at);

CREATE TABLE card_wallet_registrations (
  ticket_id         uuid NOT NULL REFERENCES card_wallet_passes ON DELETE CASCADE,
  device_library_id text NOT NULL CHECK (length(device_library_id) BETWEEN 1 AND 128),
  push_token        text NOT NULL CHECK (length(push_token) BETWEEN 1 AND 256),
  municipality_id   uuid NOT NULL REFERENCES municipalities ON DELETE CASCADE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, device_library_id)
);
CREATE INDEX card_wallet_registrations_device_idx ON card_wallet_registrations (device_library_id);
