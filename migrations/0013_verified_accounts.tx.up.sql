-- Login now requires a confirmed e-mail address (users.email_verified_at). Until now only
-- self-registered accounts ever had it set, so mark every account confirmed that has no
-- confirmation link outstanding: accounts made by the operator (`fritid admin
-- create-user`), staff invited by an administrator (their password link proves the address
-- and sets it anyway), and anyone who has confirmed already. A self-registered account that
-- never confirmed still has its link row (a link is only deleted when used), so it stays
-- unconfirmed: its owner confirms with the link, or asks for a new one with
-- resendConfirmation, before signing in again.
UPDATE users u SET email_verified_at = u.created_at
WHERE u.email_verified_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM email_verifications v WHERE v.user_id = u.id);
