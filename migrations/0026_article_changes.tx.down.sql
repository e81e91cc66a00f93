DROP TABLE article_pending_changes;
