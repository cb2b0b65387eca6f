import IFCCore
import IFCHTTP
import RegistryAPI

extension Registry {
    static var importSchemas: [String: JSONValue] {
        ["ImportReport": Schema.object([
            "import_id": Schema.uuid, "dry_run": Schema.boolean, "rows": Schema.integer, "imported": Schema.integer,
            "duplicates": Schema.integer, "invalid": Schema.integer, "errors_truncated": Schema.boolean,
            "errors": Schema.array(Schema.object(["line": Schema.integer, "column": Schema.string, "reason": Schema.string],
                                                 required: ["line", "column", "reason"])),
            "flagged": Schema.integer, "warnings_truncated": Schema.boolean,
            "warnings": Schema.array(Schema.object(["line": Schema.integer, "field": Schema.string, "text": Schema.string,
                                                    "flag": Schema.ref("ReviewFlag")], required: ["line", "field", "text", "flag"])),
        ], required: ["import_id", "dry_run", "rows", "imported", "duplicates", "invalid", "errors", "errors_truncated",
                      "flagged", "warnings", "warnings_truncated"])]
    }
}
