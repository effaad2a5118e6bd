/// The PostgreSQL schema of whsed-pgsink (docs/pgsink.md). Every table carries `site_id`: several whsed sites feed
/// one database. Quantities are numeric(38,5): whsed's quantities have at most 5 decimal places (protocol.md 5.3).
enum Schema {
    /// Idempotent: `--init-schema` may run again on a database that has the tables.
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS sink_cursor (
            site_id        text PRIMARY KEY,
            log_epoch      bigint NOT NULL,
            last_seq       bigint NOT NULL,
            updated_at     timestamptz NOT NULL DEFAULT now(),
            durable_seq    bigint NOT NULL DEFAULT 0,
            durable_at     timestamptz
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS log_record (
            site_id        text NOT NULL,
            seq            bigint NOT NULL,
            log_epoch      bigint NOT NULL,
            method         text NOT NULL,
            master_data    jsonb,
            sunk_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (site_id, seq)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS warehouse_entry (
            site_id        text NOT NULL,
            entry_no       bigint NOT NULL,
            seq            bigint NOT NULL,
            entry_type     text NOT NULL,
            registering_date date NOT NULL,
            location       text NOT NULL,
            zone           text,
            bin            text NOT NULL,
            item           text NOT NULL,
            quantity       numeric(38,5) NOT NULL,
            quantity_base  numeric(38,5) NOT NULL,
            unit_of_measure text NOT NULL,
            quantity_per_unit_of_measure numeric(38,5) NOT NULL,
            document_no    text NOT NULL,
            source         text NOT NULL,
            register_no    bigint NOT NULL,
            user_name      text NOT NULL,
            posted_at      timestamptz NOT NULL,
            lot            text NOT NULL DEFAULT '',
            serial         text NOT NULL DEFAULT '',
            expiration_date date,
            PRIMARY KEY (site_id, entry_no)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS item_ledger_entry (
            site_id        text NOT NULL,
            entry_no       bigint NOT NULL,
            seq            bigint NOT NULL,
            entry_type     text NOT NULL,
            posting_date   date NOT NULL,
            document_no    text NOT NULL,
            location       text NOT NULL,
            item           text NOT NULL,
            quantity       numeric(38,5) NOT NULL,
            unit_of_measure text NOT NULL,
            quantity_per_unit_of_measure numeric(38,5) NOT NULL,
            warehouse_adjustment boolean NOT NULL,
            source         text NOT NULL,
            user_name      text NOT NULL,
            posted_at      timestamptz NOT NULL,
            lot            text NOT NULL DEFAULT '',
            serial         text NOT NULL DEFAULT '',
            expiration_date date,
            PRIMARY KEY (site_id, entry_no)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS phys_inventory_ledger_entry (
            site_id        text NOT NULL,
            entry_no       bigint NOT NULL,
            seq            bigint NOT NULL,
            entry_type     text NOT NULL,
            posting_date   date NOT NULL,
            document_no    text NOT NULL,
            location       text NOT NULL,
            bin            text,
            item           text NOT NULL,
            quantity       numeric(38,5) NOT NULL,
            quantity_calculated numeric(38,5) NOT NULL,
            quantity_phys_inventory numeric(38,5) NOT NULL,
            unit_of_measure text NOT NULL,
            last_item_ledger_entry_no bigint NOT NULL,
            user_name      text NOT NULL,
            posted_at      timestamptz NOT NULL,
            lot            text NOT NULL DEFAULT '',
            serial         text NOT NULL DEFAULT '',
            counting_period text,
            PRIMARY KEY (site_id, entry_no)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS bin_content (
            site_id        text NOT NULL,
            location       text NOT NULL,
            bin            text NOT NULL,
            item           text NOT NULL,
            unit_of_measure text NOT NULL,
            lot            text NOT NULL DEFAULT '',
            serial         text NOT NULL DEFAULT '',
            quantity       numeric(38,5) NOT NULL,
            quantity_base  numeric(38,5) NOT NULL,
            last_seq       bigint NOT NULL,
            PRIMARY KEY (site_id, location, bin, item, unit_of_measure, lot, serial)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS availability (
            site_id        text NOT NULL,
            location       text NOT NULL,
            item           text NOT NULL,
            lot            text NOT NULL DEFAULT '',
            available_to_pick numeric(38,5) NOT NULL,
            available_to_reserve numeric(38,5) NOT NULL,
            seq            bigint NOT NULL,
            as_of_seq      bigint NOT NULL,
            PRIMARY KEY (site_id, location, item, lot)
        )
        """,
        // The entry tables have their primary key only: one more index made each row cost PostgreSQL about half as
        // much CPU again (docs/pgsink.md says how to add one for reading entries by item).
        "CREATE INDEX IF NOT EXISTS bin_content_item ON bin_content (site_id, item)"
    ]
}
