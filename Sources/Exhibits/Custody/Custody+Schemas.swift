import Foundation
import ExhibitsAPI
import IFCCore
import IFCHTTP

extension Exhibits {
    static var custodySchemas: [String: JSONValue] {
        let nullableText = Schema.nullable("string")
        let transfer: [String: JSONValue] = [
            "id": Schema.uuid, "exhibit_id": Schema.uuid, "from_kind": Schema.ref("CustodianKind"), "from": Schema.string,
            "sent_by": Schema.string, "to_kind": Schema.ref("CustodianKind"), "to": Schema.string, "purpose": Schema.string,
            "seal_number": nullableText, "seal_intact": Schema.boolean, "status": Schema.ref("TransferStatus"), "sent_at": Schema.dateTime,
            "received_by": nullableText, "received_at": Schema.nullable("string", format: "date-time"),
            "seal_intact_on_receipt": Schema.nullable("boolean"), "condition": nullableText, "remarks": nullableText,
            "receipt_sha256": nullableText, "receipt_reference": nullableText, "cancelled_by": nullableText,
            "cancelled_at": Schema.nullable("string", format: "date-time"), "cancel_reason": nullableText,
        ]
        let entry: [String: JSONValue] = [
            "seq": Schema.integer, "previous_seq": Schema.nullable("integer"), "event": Schema.ref("CustodyEvent"),
            "transfer_id": Schema.nullable("string", format: "uuid"), "recorded_by": Schema.string,
            "custodian_kind": Schema.ref("CustodianKind"), "custodian": Schema.string, "seal_number": nullableText,
            "seal_intact": Schema.nullable("boolean"), "detail": ["type": "object", "additionalProperties": Schema.string],
            "at": Schema.dateTime,
        ]
        let custody: [String: JSONValue] = [
            "exhibit_id": Schema.uuid, "reference": Schema.string, "status": Schema.ref("ExhibitStatus"),
            "custodian_kind": Schema.ref("CustodianKind"), "custodian": Schema.string,
            "open_transfer": optional(Schema.ref("Transfer")), "entries": Schema.array(Schema.ref("CustodyEntry")),
        ]
        return [
            "TransferStatus": Schema.enumeration(TransferStatus.values),
            "CustodyEvent": Schema.enumeration(CustodyEvent.values),
            "NewTransfer": Schema.object([
                "to_user": ["type": ["string", "null"], "pattern": "^[A-Za-z][A-Za-z0-9._-]{2,63}$"],
                "to_location": text(200, nullable: true), "to_outside": text(200, nullable: true),
                "purpose": text(500), "seal_number": text(100, nullable: true), "seal_intact": Schema.boolean,
            ], required: ["purpose", "seal_intact"]),
            "NewReceipt": Schema.object([
                "seal_intact": Schema.boolean, "condition": text(1000, nullable: true), "remarks": text(2000, nullable: true),
                "receipt_sha256": ["type": ["string", "null"], "pattern": .string(ReceiptBody.sha256Pattern)],
                "receipt_reference": text(200, nullable: true),
            ], required: ["seal_intact"]),
            "TransferCancellation": Schema.object(["reason": text(1000)], required: ["reason"]),
            "NewSeal": Schema.object(["seal_number": text(100), "reason": text(1000, nullable: true)], required: ["seal_number"]),
            "NewDisposition": Schema.object([
                "disposition": Schema.ref("DispositionKind"), "authority": text(300), "date": Schema.date,
                "remarks": text(2000, nullable: true),
                "certificate_number": text(100, nullable: true), "certificate_standard": text(200, nullable: true),
                "witnesses": ["type": ["array", "null"], "items": text(100), "maxItems": 2,
                              "description": "a destruction's two witnesses (usernames of two other users); only for a destruction"],
            ], required: ["disposition", "authority", "date"]),
            "Transfer": Schema.object(transfer, required: Array(transfer.keys)),
            "CustodyEntry": Schema.object(entry, required: Array(entry.keys)),
            "Custody": Schema.object(custody, required: Array(custody.keys)),
        ]
    }
}
