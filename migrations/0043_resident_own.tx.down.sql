DROP TABLE resident_favourites;
DROP TABLE resident_owners;
