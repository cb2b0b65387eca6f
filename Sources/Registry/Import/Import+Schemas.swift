import IFCCore
import IFCHTTP

extension Registry {
    static var importSchemas: [String: JSONValue] {
        ["ImportReport": Schema.object([
            "import_id": Schema.uuid, "dry_run": Schema.boolean, "rows": Schema.integer, "imported": Schema.integer,
            "duplicates": Schema.integer, "invalid": Schema.integer, "errors_truncated": Schema.boolean,
            "errors": Schema.array(Schema.object(["line": Schema.integer, "column": Schema.string, "reason": Schema.string],
                                                 required: ["line", "column", "reason"])),
        ], required: ["import_id", "dry_run", "rows", "imported", "duplicates", "invalid", "errors", "errors_truncated"])]
    }
}
