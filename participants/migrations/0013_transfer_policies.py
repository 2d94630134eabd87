"""Transfers under row-level security (docs/security.md §2, "Transfers").

1. The files the scope's structures were granted read access to
   (`participants_participantaccessgrant`, still valid today): an extra
   *permissive, SELECT-only* policy on the participant and parcours tables lets those rows
   through; writes still obey the structure policy alone, so a granted file is read-only.
   The receiving structure reads its transfers through another SELECT policy.
2. The composite foreign keys that kept a parcours and a situation in their participant's
   structure (0005) become statement triggers: a transfer moves the participant and leaves
   the parcours done in the sending structure there (its indicators), which the keys
   forbade. What they guaranteed still holds for every new row, and more: a row inserted
   (or changed by the web role) for a participant must lie in the participant's current
   structure, so nobody adds to, or edits, what a transfer left behind; the participant
   itself changes structure only with a transfer row saying from where to where.
"""

from django.db import migrations

WEB_ROLE = "sillon_web"

# The files the scope's structures were granted read access to, still valid today. An
# uncorrelated sub-select: PostgreSQL runs it once per query (an index range scan of
# grant_struct_until_part) and probes its hash table per row, like the structure policy's
# list. Written inline rather than as a set-returning function, which the planner cannot
# inline in a policy and runs as a black box (0.5 ms more per query, docs/performance.md).
GRANTED = (
    "SELECT g.participant_id FROM participants_participantaccessgrant g "
    "WHERE g.structure_id IN (SELECT unnest(sillon_structure_ids())) "
    "AND (g.until IS NULL OR g.until >= current_date)"
)

POLICIES_SQL = f"""
CREATE POLICY sillon_grant_transfer_v1 ON participants_participant AS PERMISSIVE FOR SELECT
  TO {WEB_ROLE} USING (id IN ({GRANTED}));
CREATE POLICY sillon_grant_transfer_v1 ON participants_parcours AS PERMISSIVE FOR SELECT
  TO {WEB_ROLE} USING (participant_id IN ({GRANTED}));
CREATE POLICY sillon_transfer_receiver_v1 ON participants_transfer AS PERMISSIVE FOR SELECT
  TO {WEB_ROLE} USING (to_structure_id IN (SELECT unnest(sillon_structure_ids())));
"""  # noqa: S608 (constant identifiers only)

DROP_POLICIES_SQL = """
DROP POLICY IF EXISTS sillon_grant_transfer_v1 ON participants_participant;
DROP POLICY IF EXISTS sillon_grant_transfer_v1 ON participants_parcours;
DROP POLICY IF EXISTS sillon_transfer_receiver_v1 ON participants_transfer;
"""

# Tables keyed to the participant directly, and those keyed through a parcours.
BY_PARTICIPANT = ["participants_parcours", "participants_situationsnapshot"]
BY_PARCOURS = [
    "participants_contract",
    "participants_hoursstage",
    "participants_workedhours",
    "participants_accompanimentaction",
    "participants_exit",
    "participants_followupcheck",
]

CHECK_SQL = f"""
CREATE OR REPLACE FUNCTION participants_file_structure_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stray bigint;
BEGIN
    -- The owner role (retention, people's rights) may still change what a transfer left
    -- behind; whatever it inserts is checked like the rest.
    IF TG_OP = 'UPDATE' AND current_user <> '{WEB_ROLE}' THEN
        RETURN NULL;
    END IF;
    IF TG_ARGV[0] = 'participant' THEN
        SELECT n.participant_id INTO stray FROM new_rows n
        LEFT JOIN participants_participant pt ON pt.id = n.participant_id
        WHERE pt.structure_id IS DISTINCT FROM n.structure_id
        LIMIT 1;
    ELSE
        SELECT n.parcours_id INTO stray FROM new_rows n
        LEFT JOIN participants_parcours p ON p.id = n.parcours_id
        LEFT JOIN participants_participant pt ON pt.id = p.participant_id
        WHERE pt.structure_id IS DISTINCT FROM n.structure_id
        LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'participants_file_structure: a row of % lies outside the file''s structure', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION participants_participant_move_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.structure_id <> o.structure_id
          AND NOT EXISTS (
              SELECT 1 FROM participants_transfer t
              WHERE t.participant_id = n.id AND t.structure_id = o.structure_id
                AND t.to_structure_id = n.structure_id)
    ) THEN
        RAISE EXCEPTION 'participants_participant_move: a file changes structure only by a transfer'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER participants_participant_move_check AFTER UPDATE ON participants_participant
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_participant_move_check();
"""  # noqa: S608 (constant identifiers only)

for _table, _kind in [(t, "participant") for t in BY_PARTICIPANT] + [
    (t, "parcours") for t in BY_PARCOURS
]:
    # Named to fire first among the table's AFTER triggers (alphabetical order), before the
    # current-parcours refresh and the history.
    for _op in ("INSERT", "UPDATE"):
        CHECK_SQL += f"""
CREATE TRIGGER participants_0_structure_{_op.lower()} AFTER {_op} ON {_table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION participants_file_structure_check('{_kind}');
"""

DROP_CHECK_SQL = "".join(
    f"DROP TRIGGER IF EXISTS participants_0_structure_{op} ON {t};\n"
    for t in BY_PARTICIPANT + BY_PARCOURS
    for op in ("insert", "update")
) + """
DROP TRIGGER IF EXISTS participants_participant_move_check ON participants_participant;
DROP FUNCTION IF EXISTS participants_participant_move_check();
DROP FUNCTION IF EXISTS participants_file_structure_check();
"""

COMPOSITE_KEYS = [
    ("participants_parcours", "parcours_participant_id_same_structure"),
    ("participants_situationsnapshot", "situationsnapshot_participant_id_same_structure"),
]
DROP_KEYS_SQL = "".join(f"ALTER TABLE {t} DROP CONSTRAINT {c};\n" for t, c in COMPOSITE_KEYS)
ADD_KEYS_SQL = "".join(
    f"ALTER TABLE {t} ADD CONSTRAINT {c} FOREIGN KEY (structure_id, participant_id) "
    "REFERENCES participants_participant (structure_id, id) DEFERRABLE INITIALLY DEFERRED;\n"
    for t, c in COMPOSITE_KEYS
)


class Migration(migrations.Migration):
    dependencies = [("participants", "0012_transfers")]

    operations = [
        migrations.RunSQL(POLICIES_SQL, DROP_POLICIES_SQL),
        migrations.RunSQL(DROP_KEYS_SQL + CHECK_SQL, DROP_CHECK_SQL + ADD_KEYS_SQL),
    ]
