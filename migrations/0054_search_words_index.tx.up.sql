-- The search index's lexemes alone, beside search_items_matches_idx (the municipality and
-- the lexemes). Read through that one, every search also walks the municipality's entry,
-- which lists every item of the municipality: for a municipality of 100,000 items a fifth
-- of a typo's statement (0.45 ms). Where a municipality has most of the items, the planner
-- now reads this index and keeps to the municipality from the rows; where it has few of
-- them, the other. (Built in the migration's transaction, as the other migrations do: built
-- concurrently, it would wait for the instances waiting for the migration lock.)
CREATE INDEX search_items_words_idx ON search_items USING gin (matches);
