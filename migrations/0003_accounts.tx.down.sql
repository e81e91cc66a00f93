DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE login_failures, organisation_members, municipal_roles, sessions, users;
