-- Analyses stored compactly (issue 8): genre and topic become columns (to filter on),
-- MinHash signatures move to their own table, and the `result` JSON keeps only what the
-- other columns do not. Rows written before keep their longer `result` (it still reads);
-- `kuzot reanalyze` rewrites them in the compact form.

ALTER TABLE analyses ADD COLUMN genre TEXT;
ALTER TABLE analyses ADD COLUMN topic TEXT;
UPDATE analyses SET genre = json_extract(result, '$.genre'), topic = json_extract(result, '$.topic')
    WHERE json_valid(result);

-- One signature per analysed document (none for an empty text): a layout byte (16), then
-- the low 16 bits of each MinHash value, little-endian (b-bit MinHash: 257 bytes instead
-- of 512). Signatures moved here from `analyses.fingerprint` keep their 32-bit values
-- (a length divisible by 4); readers use the low 16 bits of either.
CREATE TABLE signatures (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id),
    signature   BLOB    NOT NULL
);
INSERT INTO signatures (document_id, signature)
    SELECT document_id, fingerprint FROM analyses WHERE fingerprint IS NOT NULL;
ALTER TABLE analyses DROP COLUMN fingerprint;
