DROP TABLE card_tickets, cards, card_guardianships, card_persons,
  card_offer_programmes, card_offer_translations, card_offers,
  card_programme_agencies, card_programme_translations, card_programmes,
  card_caseworkers, card_agencies;
