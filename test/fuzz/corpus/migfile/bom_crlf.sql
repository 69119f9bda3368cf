-- pgmig:revision a1
-- pgmig:message CRLF file

SELECT 1;

-- pgmig:down

SELECT 2;
