-- Bounces and complaints read from the returned mail itself. Each list e-mail is sent with an
-- envelope sender (VERP) carrying a short signed token that names its delivery by number, so
-- the mail server can hand a returned message back to fritid without any personal data in
-- the address.

-- The delivery's number, which the token of its e-mail carries.
ALTER TABLE newsletter_deliveries ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX newsletter_deliveries_number_key ON newsletter_deliveries (number);

-- What came back for a delivery: a hard bounce or a complaint (counted once each).
ALTER TABLE newsletter_deliveries ADD COLUMN returned text CHECK (returned IN ('BOUNCED', 'COMPLAINED'));

-- An e-mail in the outbox may have an envelope sender of its own (the return path of a list
-- e-mail) and extra header fields.
ALTER TABLE outbox ADD COLUMN return_path text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN headers jsonb NOT NULL DEFAULT '{}';
