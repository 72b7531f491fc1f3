--liquibase formatted sql

--changeset changeset-syncer:004-changesets-change-markers
--comment: changesets.etags also holds markers of our own (digests, versions, flags), not only ETags: name it for what it holds.
ALTER TABLE changesets RENAME COLUMN etags TO change_markers;
ALTER TABLE changesets RENAME CONSTRAINT changesets_etags_is_object TO changesets_change_markers_is_object;
COMMENT ON COLUMN changesets.change_markers IS 'What the last fetch of each resource saw, by resource: the host''s ETag (e.g. {"pull": "W/\"abc\""}, sent back as If-None-Match) or a marker of our own where the host has none (a digest of the fields we keep, a version, a flag). A fetch that finds the same marker reports nothing changed.';
