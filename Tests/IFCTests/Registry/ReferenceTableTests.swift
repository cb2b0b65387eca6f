import Foundation
import HTTPTypes
import HummingbirdTesting
import IFCCore
import IFCServer
import IFCStore
import PostgresNIO
@testable import Registry
import Testing

/// The reference table of makes and models: what it holds, how it matches, and how registration,
/// correction and the import use it (accept, warn, flag for review; never refuse, never silently).
@Suite("Registry reference table of makes and models")
struct ReferenceTableTests {
    static let table = MakesModels.standard

    static func flags(_ make: String, _ model: String?, _ type: FirearmType, _ calibre: String,
                      in table: MakesModels = ReferenceTableTests.table) -> [ReviewFlag] {
        table.warnings(make: make, model: model, type: type, calibre: calibre).map(\.flag)
    }

    static func body(make: String, model: String?, type: String, calibre: String, serial: String) -> String {
        #"{"make":"\#(make)","# + (model.map { #""model":"\#($0)","# } ?? "")
            + #""type":"\#(type)","calibre":"\#(calibre)","serial":"\#(serial)","country_of_manufacture":"US","year_of_manufacture":2015}"#
    }

    static func items(_ response: TestResponse) throws -> [[String: Any]] {
        (try response.object["items"] as? [[String: Any]]) ?? []
    }

    @Test("the compiled-in table holds the common makes and models with their types and calibres (at least 25 models)")
    func standardTable() {
        #expect(Self.table.modelCount >= 25, "Config/makes-models.json did not load: \(Self.table.modelCount) models")
        let known: [(String, String, FirearmType, String)] = [
            ("Glock", "17", .pistol, "9x19mm"), ("Glock", "19", .pistol, "9x19mm"), ("Glock", "26", .pistol, "9x19mm"),
            ("Glock", "43", .pistol, "9x19mm"), ("Smith & Wesson", "M&P9", .pistol, "9x19mm"),
            ("Smith & Wesson", "Model 686", .revolver, ".357 Magnum"), ("Ruger", "10/22", .rifle, ".22 LR"),
            ("Ruger", "LCP", .pistol, ".380 ACP"), ("Remington", "870", .shotgun, "12 gauge"), ("Remington", "700", .rifle, ".308 Win"),
            ("Mossberg", "500", .shotgun, "12 gauge"), ("Mossberg", "590", .shotgun, "12 gauge"), ("Beretta", "92FS", .pistol, "9x19mm"),
            ("SIG Sauer", "P226", .pistol, "9x19mm"), ("SIG Sauer", "P320", .pistol, "9x19mm"), ("Colt", "M1911", .pistol, ".45 ACP"),
            ("Colt", "Python", .revolver, ".357 Magnum"), ("Taurus", "G2C", .pistol, "9x19mm"), ("Taurus", "PT92", .pistol, "9x19mm"),
            ("Taurus", "Judge", .revolver, ".45 Colt"), ("Taurus", "Judge", .revolver, ".410 bore"), ("CZ", "75", .pistol, "9x19mm"),
            ("Hi-Point", "C9", .pistol, "9x19mm"), ("Hi-Point", "995", .carbine, "9x19mm"), ("Kel-Tec", "PF-9", .pistol, "9x19mm"),
            ("Kel-Tec", "KSG", .shotgun, "12 gauge"),
        ]
        for (make, model, type, calibre) in known {
            #expect(Self.flags(make, model, type, calibre).isEmpty, "\(make) \(model) \(type) \(calibre)")
        }
    }

    @Test("matching ignores case, spacing and punctuation, takes the table's aliases, and a model written with its make")
    func tolerantMatching() {
        #expect(Self.flags("GLOCK", "glock 19", .pistol, "9mm Luger").isEmpty)
        #expect(Self.flags("smith and wesson", "M&P 9", .pistol, "9 x 19 mm").isEmpty)
        #expect(Self.flags("S&W", "686", .revolver, ".357 Mag").isEmpty)
        #expect(Self.flags("Sig-Sauer", "p-320", .pistol, "9x19").isEmpty)
        #expect(Self.flags("Kel Tec", "PF9", .pistol, "9mm").isEmpty)
        #expect(Self.flags("Ruger", "10-22", .rifle, ".22 Long Rifle").isEmpty)
        #expect(Self.flags("Ceska Zbrojovka", "CZ 75", .pistol, "9mm Parabellum").isEmpty)
        #expect(Self.flags("Taurus", "The Judge", .revolver, ".45 Long Colt").isEmpty)
    }

    @Test("an unknown make, an unknown model of a known make, another type or calibre: each a warning naming its field")
    func warningRules() {
        #expect(Self.flags("Acme Arms", "X1", .pistol, "9x19mm") == [.unknownMake])
        #expect(Self.flags("Glock", "99", .pistol, "9x19mm") == [.unknownModel])
        #expect(Self.flags("Glock", "17", .rifle, "9x19mm") == [.implausibleType])
        #expect(Self.flags("Glock", "17", .pistol, ".45 ACP") == [.implausibleCalibre])
        #expect(Self.flags("Remington", "870", .rifle, ".22 LR") == [.implausibleType, .implausibleCalibre])
        // Without a model, the type and calibre must fit one of the make's models.
        #expect(Self.flags("Mossberg", nil, .shotgun, "12 gauge").isEmpty)
        #expect(Self.flags("Mossberg", nil, .pistol, "9x19mm") == [.implausibleType])
        #expect(Self.flags("Glock", nil, .pistol, "12 gauge") == [.implausibleCalibre])
        let warning = Self.table.warnings(make: "Glock", model: "17", type: .pistol, calibre: ".45 ACP")
        #expect(warning.first?.field == "calibre")
        #expect(warning.first?.text.contains("9x19mm") == true, "\(warning)")
    }

    @Test("an administrator's file adds makes, models, aliases and calibres; a broken file is refused naming the key")
    func administratorFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ifcd-mm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let extra = folder.appendingPathComponent("extra.json")
        try Data(#"""
            {"calibres": [{"name": "7.62x54mmR", "aliases": ["7.62x54R"]}],
             "makes": [
               {"make": "GLOCK", "models": [{"model": "45", "types": ["pistol"], "calibres": ["9mm"]},
                                           {"model": "17", "types": ["pistol"], "calibres": [".40 S&W"]}]},
               {"make": "Baikal", "aliases": ["IZh"], "country": "RU",
                "models": [{"model": "MP-153", "types": ["shotgun"], "calibres": ["12 gauge"]},
                           {"model": "Mosin-Nagant", "types": ["rifle"], "calibres": ["7.62x54R"]}]}]}
            """#.utf8).write(to: extra)
        let config = try await AppConfig.load(file: nil, environment: ["IFCD_REGISTRY_MAKES_MODELS_FILE": extra.path])
        let table = config.registryMakesModels
        #expect(table.modelCount == Self.table.modelCount + 3)
        #expect(Self.flags("Glock", "45", .pistol, "9x19mm", in: table).isEmpty)
        #expect(Self.flags("Glock", "17", .pistol, ".40 S&W", in: table).isEmpty, "a known model gets the file's calibres")
        #expect(Self.flags("Glock", "17", .pistol, "9x19mm", in: table).isEmpty, "and keeps its own")
        #expect(Self.flags("IZh", "MP 153", .shotgun, "12ga", in: table).isEmpty)
        #expect(Self.flags("Baikal", "Mosin Nagant", .rifle, "7.62x54mmR", in: table).isEmpty)
        #expect(Self.flags("Baikal", "MP-153", .shotgun, "12 gauge").first == .unknownMake, "the standard table is unchanged")

        let broken = folder.appendingPathComponent("broken.json")
        try Data(#"{"makes": [{"make": "Acme", "models": [{"model": "X", "types": ["bazooka"], "calibres": ["9mm"]}]}]}"#.utf8).write(to: broken)
        do {
            _ = try await AppConfig.load(file: nil, environment: ["IFCD_REGISTRY_MAKES_MODELS_FILE": broken.path])
            Issue.record("a table naming an unknown type was accepted")
        } catch {
            #expect("\(error)".contains("registry.makesModelsFile") && "\(error)".contains("bazooka"), "\(error)")
        }
        await #expect(throws: (any Error).self) {
            _ = try await AppConfig.load(file: nil, environment: ["IFCD_REGISTRY_MAKES_MODELS_FILE": folder.appendingPathComponent("none.json").path])
        }
    }

    @Test("a registration that does not match the table is accepted with warnings, flagged, listed by needs_review and audited")
    func registrationIsFlagged() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let clean = try await app.request(.post, "/v1/firearms", token: clerk,
                                              json: Self.body(make: "Glock", model: "19", type: "pistol", calibre: "9mm Luger", serial: "CLEAN1"))
            #expect(clean.status == .created, "\(clean.text)")
            #expect((try clean.object["warnings"] as? [Any])?.isEmpty == true)
            #expect((try clean.object["review_flags"] as? [Any])?.isEmpty == true)
            let unknown = try await app.request(.post, "/v1/firearms", token: clerk,
                                                json: Self.body(make: "Acme Arms", model: "X1", type: "pistol", calibre: "9x19mm", serial: "ACME1"))
            #expect(unknown.status == .created, "\(unknown.text)")
            let warnings = (try unknown.object["warnings"] as? [[String: Any]]) ?? []
            #expect(warnings.compactMap { $0["field"] as? String } == ["make"])
            #expect(warnings.first?["text"] as? String != nil)
            #expect(try unknown.object["review_flags"] as? [String] == ["unknown_make"])
            let model = try await app.request(.post, "/v1/firearms", token: clerk,
                                              json: Self.body(make: "Glock", model: "99", type: "pistol", calibre: "9x19mm", serial: "G99"))
            #expect(model.status == .created)
            #expect(((try model.object["warnings"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String } == ["model"])
            let id = try #require(try unknown.object["id"] as? String)

            let analyst = try await app.token(roles: [.analyst])
            let read = try await app.request(.get, "/v1/firearms/\(id)", token: analyst)
            #expect(try read.object["review_flags"] as? [String] == ["unknown_make"])
            #expect(try read.object["warnings"] == nil, "a read shows the flags; the warnings belong to the write's answer")
            let queue = try await app.request(.get, "/v1/firearms?needs_review=true", token: analyst)
            #expect(queue.status == .ok)
            #expect(try Self.items(queue).compactMap { $0["serial"] as? String } == ["ACME1", "G99"])
            #expect(try Self.items(queue).allSatisfy { !(($0["review_flags"] as? [String]) ?? []).isEmpty })
            let rest = try await app.request(.get, "/v1/firearms?needs_review=false", token: analyst)
            #expect(try Self.items(rest).compactMap { $0["serial"] as? String } == ["CLEAN1"])
            let combined = try await app.request(.get, "/v1/firearms?needs_review=true&make=glock", token: analyst)
            #expect(try Self.items(combined).compactMap { $0["serial"] as? String } == ["G99"])
            let everything = try await app.request(.get, "/v1/firearms", token: analyst)
            #expect(try Self.items(everything).count == 3)
            let bad = try await app.request(.get, "/v1/firearms?needs_review=maybe", token: analyst)
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.problemFields == ["needs_review"])
            // On the trail and in the history, the review is named.
            #expect(try await app.count("""
                SELECT count(*) FROM audit_entries WHERE action = 'firearm.create' AND record_id = \(id) AND detail->>'review' = 'unknown_make'
                """) == 1)
            #expect(try await app.count("""
                SELECT count(*) FROM firearm_versions WHERE firearm_id = \(UUID(uuidString: id)!) AND change = 'registered; for review: unknown_make'
                """) == 1)
            #expect(try await app.count("SELECT count(*) FROM audit_entries WHERE action = 'firearm.list' AND detail->'query'->>'needs_review' = 'true'") == 3,
                    "one entry per firearm shown: two in the queue, one in the queue of Glocks")
        }
    }

    @Test("an implausible combination is flagged on type and calibre; a correction that matches clears the flags, one that does not sets them")
    func correctionRecomputesFlags() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let odd = try await app.request(.post, "/v1/firearms", token: clerk,
                                            json: Self.body(make: "Remington", model: "870", type: "rifle", calibre: ".22 LR", serial: "RS870"))
            #expect(odd.status == .created)
            #expect(Set(((try odd.object["warnings"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }) == ["type", "calibre"])
            #expect(try odd.object["review_flags"] as? [String] == ["implausible_type", "implausible_calibre"])
            let id = try #require(try odd.object["id"] as? String)
            let fixed = try await app.request(.patch, "/v1/firearms/\(id)", token: clerk, json: #"{"type":"shotgun","calibre":"12 gauge"}"#,
                                              headers: [.ifMatch: "\"1\""])
            #expect(fixed.status == .ok, "\(fixed.text)")
            #expect((try fixed.object["warnings"] as? [Any])?.isEmpty == true)
            #expect((try fixed.object["review_flags"] as? [Any])?.isEmpty == true)
            let analyst = try await app.token(roles: [.analyst])
            #expect(try Self.items(try await app.request(.get, "/v1/firearms?needs_review=true", token: analyst)).isEmpty)
            let wrong = try await app.request(.patch, "/v1/firearms/\(id)", token: clerk, json: #"{"calibre":".45 ACP"}"#, headers: [.ifMatch: "\"2\""])
            #expect(wrong.status == .ok)
            #expect(try wrong.object["review_flags"] as? [String] == ["implausible_calibre"])
            #expect(try Self.items(try await app.request(.get, "/v1/firearms?needs_review=true", token: analyst)).count == 1)
            // Accepted, never refused: bad input is still 422 for its own rules only.
            let invalid = try await app.request(.patch, "/v1/firearms/\(id)", token: clerk, json: #"{"type":"bazooka"}"#, headers: [.ifMatch: "\"3\""])
            #expect(invalid.status == .unprocessableContent)
            #expect(try invalid.problemFields == ["type"])
        }
    }

    @Test("the import flags rows that do not match the table and lists their warnings by line")
    func importWarnings() async throws {
        try await withTestApp { app in
            let clerk = try await app.token(roles: [.clerk])
            let csv = """
                make,model,type,calibre,serial
                Glock,19,pistol,9x19mm,IMP1
                Acme Arms,X1,pistol,9x19mm,IMP2
                Ruger,10/22,rifle,.308 Win,IMP3
                Taurus,PT92,bazooka,9x19mm,IMP4

                """
            let response = try await ImportTests.post(app, clerk, csv)
            #expect(response.status == .ok, "\(response.text)")
            let report = try response.object
            #expect(report["imported"] as? Int == 3)
            #expect(report["invalid"] as? Int == 1)
            #expect(report["flagged"] as? Int == 2)
            let warnings = (report["warnings"] as? [[String: Any]]) ?? []
            #expect(warnings.map { "\($0["line"] as? Int ?? 0):\($0["field"] as? String ?? "")" } == ["3:make", "4:calibre"], "\(warnings)")
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE review_flags <> '{}'") == 2)
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE serial_marked = 'IMP3' AND review_flags = '{implausible_calibre}'") == 1)
            let analyst = try await app.token(roles: [.analyst])
            #expect(try Self.items(try await app.request(.get, "/v1/firearms?needs_review=true", token: analyst)).compactMap { $0["serial"] as? String }
                    == ["IMP2", "IMP3"])
            // A dry run reports the same warnings and writes nothing.
            let dry = try await ImportTests.post(app, clerk, csv.replacingOccurrences(of: "IMP", with: "DRY"), query: "?dry_run=true")
            #expect(try dry.object["flagged"] as? Int == 2)
            #expect(try await app.count("SELECT count(*) FROM firearms") == 3)
        }
    }

    @Test("the configured table is the one the API uses: a model added by the administrator's file is not flagged")
    func configuredTableIsUsed() async throws {
        let extra = try MakesModels(json: Data(#"{"makes": [{"make": "Glock", "models": [{"model": "45", "types": ["pistol"], "calibres": ["9x19mm"]}]}]}"#.utf8))
        try await withTestApp(configure: { $0.registryMakesModels = MakesModels.standard.adding(extra) }) { app in
            let clerk = try await app.token(roles: [.clerk])
            let added = try await app.request(.post, "/v1/firearms", token: clerk,
                                              json: Self.body(make: "Glock", model: "45", type: "pistol", calibre: "9x19mm", serial: "G45A"))
            #expect(added.status == .created)
            #expect((try added.object["review_flags"] as? [Any])?.isEmpty == true, "\(added.text)")
        }
    }

    @Test("the demo sample pairs makes, models, types and calibres only as the table does (only the unmarked find of unknown make is flagged)")
    func demoMatchesTable() async throws {
        try await withTestApp { app in
            var config = AppConfig()
            config.bcryptCost = 4
            let summary = try await seedDemo(database: app.store, config: config, principal: .cli(osUser: "test"), logger: TestCluster.logger)
            #expect(summary.contains { $0.hasPrefix("registry: 60 holders, 306 firearms") }, "\(summary)")
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE review_flags <> '{}'") == 1)
            #expect(try await app.count("SELECT count(*) FROM firearms WHERE review_flags <> '{}' AND make = 'unknown'") == 1)
            // Every firearm with a model, checked again here against the table.
            let rows = try await app.database.asOwner { connection -> [(String, String, String, String)] in
                var rows: [(String, String, String, String)] = []
                for try await row in try await connection.query("SELECT make, model, type, calibre FROM firearms WHERE model IS NOT NULL",
                                                                 logger: TestCluster.logger).decode((String, String, String, String).self) {
                    rows.append(row)
                }
                return rows
            }
            #expect(rows.count == 305, "303 of the registry sample and the forensics sample's 2 seized finds")
            for (make, model, type, calibre) in rows {
                #expect(Self.flags(make, model, FirearmType(rawValue: type) ?? .other, calibre).isEmpty, "\(make) \(model) \(type) \(calibre)")
            }
            #expect(try await app.count("SELECT count(*) FROM holders WHERE kind = 'person' AND date_of_birth IS NOT NULL") == 54)
        }
    }
}
