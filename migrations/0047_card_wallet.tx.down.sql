DROP TABLE IF EXISTS card_wallet_registrations;
DROP TABLE IF EXISTS card_wallet_tokens;
DROP TABLE IF EXISTS card_wallet_passes;
