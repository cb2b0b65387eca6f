/// An incremental RFC 4180 reader: feed it bytes as they arrive, take complete records out.
/// Quoted fields may hold commas, doubled quotes and line breaks; lines end in LF or CRLF. Only
/// the record being read is held in memory, so a file of any size streams through.
struct CSVReader {
    struct Record {
        /// The physical line the record starts on (1-based; the header is line 1).
        var line: Int
        var fields: [String]
    }

    enum Failure: Error, Equatable {
        case invalidUTF8(line: Int)
        case unterminatedQuote(line: Int)
        case fieldTooLong(line: Int)
        case tooManyFields(line: Int)
    }

    static let maximumFieldBytes = 64 * 1024
    static let maximumFields = 256

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var inQuotes = false
    private var quoteSeen = false  // a quote inside a quoted field: an escaped quote or the end
    private var fieldStarted = false
    private var line = 1
    private var recordLine = 1
    private var pendingCR = false

    /// Consumes `bytes`, returning every record they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(Failure) -> [Record] {
        var records: [Record] = []
        for byte in bytes {
            if pendingCR {
                pendingCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            if inQuotes {
                if quoteSeen {
                    quoteSeen = false
                    if byte == UInt8(ascii: "\"") {
                        try append(byte)
                        continue
                    }
                    inQuotes = false  // the quote closed the field; handle this byte below
                } else if byte == UInt8(ascii: "\"") {
                    quoteSeen = true
                    continue
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    try append(byte)
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: "\""):
                if !fieldStarted && field.isEmpty {
                    inQuotes = true
                    fieldStarted = true
                } else {
                    try append(byte)  // a stray quote in an unquoted field is kept as text
                }
            case UInt8(ascii: ","):
                try endField()
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if byte == UInt8(ascii: "\r") { pendingCR = true }
                try endField()
                if let record = endRecord() { records.append(record) }
                line += 1
                recordLine = line
            default:
                fieldStarted = true
                try append(byte)
            }
        }
        return records
    }

    /// The last record when the input does not end with a line break.
    mutating func finish() throws(Failure) -> Record? {
        if inQuotes && !quoteSeen { throw .unterminatedQuote(line: recordLine) }
        inQuotes = false
        quoteSeen = false
        if fields.isEmpty && field.isEmpty && !fieldStarted { return nil }
        try endField()
        return endRecord()
    }

    private mutating func append(_ byte: UInt8) throws(Failure) {
        guard field.count < Self.maximumFieldBytes else { throw .fieldTooLong(line: line) }
        field.append(byte)
    }

    private mutating func endField() throws(Failure) {
        guard fields.count < Self.maximumFields else { throw .tooManyFields(line: recordLine) }
        guard let text = String(validating: field, as: UTF8.self) else { throw .invalidUTF8(line: line) }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        fieldStarted = false
    }

    private mutating func endRecord() -> Record? {
        defer { fields.removeAll(keepingCapacity: true) }
        // A blank line is no record.
        if fields.count == 1 && fields[0].isEmpty { return nil }
        return Record(line: recordLine, fields: fields)
    }
}
