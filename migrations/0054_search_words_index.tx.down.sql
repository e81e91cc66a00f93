DROP INDEX search_items_words_idx;
