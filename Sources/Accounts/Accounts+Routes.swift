import Foundation
import HTTPTypes
import Hummingbird
import IFCCore
import IFCHTTP
import IFCStore

struct LoginBody: StrictBody {
    var username: String
    var password: String
    enum CodingKeys: String, CodingKey, CaseIterable { case username, password }

    func validate() throws(Problem) {
        var errors: [Problem.FieldError] = []
        if username.isEmpty || username.utf8.count > 64 { errors.append(.init(field: "username", detail: "must be 1 to 64 characters")) }
        if password.isEmpty || password.utf8.count > 1024 { errors.append(.init(field: "password", detail: "must be 1 to 1024 bytes")) }
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}

struct CreateUserBody: StrictBody {
    var username: String
    var password: String
    var roles: [String]
    var displayName: String?
    var clearance: Clearance?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case username, password, roles, clearance
        case displayName = "display_name"
    }

    func validated() throws(Problem) -> Accounts.NewUser {
        var errors: [Problem.FieldError] = []
        let name = Username(username)
        if name == nil { errors.append(.init(field: "username", detail: "must be 3 to 64 of letters, digits, '.', '_', '-', starting with a letter")) }
        if let reason = PasswordPolicy.problem(with: password) { errors.append(.init(field: "password", detail: reason)) }
        let roles = parseRoles(roles, field: "roles", into: &errors)
        if let displayName, displayName.count > 200 { errors.append(.init(field: "display_name", detail: "must be at most 200 characters")) }
        guard errors.isEmpty, let name, let roles else { throw Problem.validation(errors) }
        return .init(username: name, password: password, roles: roles, displayName: displayName, clearance: clearance ?? .standard)
    }
}

struct UpdateUserBody: StrictBody {
    /// Absent: unchanged; `null`: cleared; a string: set.
    var displayName: String??
    var roles: [String]?
    var clearance: Clearance?
    var disabled: Bool?
    var password: String?
    var unlock: Bool?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case roles, disabled, password, unlock, clearance
        case displayName = "display_name"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        displayName = c.contains(.displayName) ? .some(try c.decodeIfPresent(String.self, forKey: .displayName)) : .none
        roles = try c.decodeIfPresent([String].self, forKey: .roles)
        clearance = try c.decodeIfPresent(Clearance.self, forKey: .clearance)
        disabled = try c.decodeIfPresent(Bool.self, forKey: .disabled)
        password = try c.decodeIfPresent(String.self, forKey: .password)
        unlock = try c.decodeIfPresent(Bool.self, forKey: .unlock)
    }

    func changes() throws(Problem) -> Accounts.UserChanges {
        var errors: [Problem.FieldError] = []
        var roleSet: Set<Role>?
        if let roles { roleSet = parseRoles(roles, field: "roles", into: &errors) }
        if let password, let reason = PasswordPolicy.problem(with: password) { errors.append(.init(field: "password", detail: reason)) }
        if case .some(.some(let name)) = displayName, name.count > 200 {
            errors.append(.init(field: "display_name", detail: "must be at most 200 characters"))
        }
        if displayName == nil && roles == nil && clearance == nil && disabled == nil && password == nil && unlock == nil {
            errors.append(.init(field: "body", detail: "names no change"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
        return .init(displayName: displayName, roles: roleSet, clearance: clearance, disabled: disabled, password: password,
                     unlock: unlock ?? false)
    }
}

private func parseRoles(_ names: [String], field: String, into errors: inout [Problem.FieldError]) -> Set<Role>? {
    if names.isEmpty {
        errors.append(.init(field: field, detail: "must name at least one role"))
        return nil
    }
    var roles = Set<Role>()
    for (index, name) in names.enumerated() {
        guard let role = Role(rawValue: name) else {
            errors.append(.init(field: "\(field)[\(index)]", detail: "is not a role; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        roles.insert(role)
    }
    if let reason = Role.separationProblem(roles) {
        errors.append(.init(field: field, detail: reason))
        return nil
    }
    return roles
}

struct PasswordChangeBody: StrictBody {
    var currentPassword: String
    var newPassword: String
    enum CodingKeys: String, CodingKey, CaseIterable {
        case currentPassword = "current_password", newPassword = "new_password"
    }

    func validate() throws(Problem) {
        var errors: [Problem.FieldError] = []
        if currentPassword.isEmpty || currentPassword.utf8.count > 1024 {
            errors.append(.init(field: "current_password", detail: "must be 1 to 1024 bytes"))
        }
        if let reason = PasswordPolicy.problem(with: newPassword) { errors.append(.init(field: "new_password", detail: reason)) }
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}

struct Me: Encodable {
    var id: UUID?
    var username: String
    var roles: [Role]
    var clearance: Clearance
}

extension Accounts {
    public var schemas: [String: JSONValue] {
        let roleSchema = Schema.enumeration(Role.allCases.map(\.rawValue))
        // Separation of duties: admin is held alone.
        let roles: JSONValue = ["type": "array", "items": Schema.ref("Role"), "minItems": 1,
                                "not": ["contains": ["const": "admin"], "minItems": 2]]
        return [
            "Role": roleSchema,
            "Clearance": Schema.enumeration(Clearance.values),
            "User": Schema.object([
                "id": Schema.uuid, "username": Schema.string, "display_name": Schema.nullable("string"),
                "roles": Schema.array(Schema.ref("Role")), "disabled": Schema.boolean,
                "locked_until": Schema.nullable("string", format: "date-time"), "version": Schema.integer,
                "created_at": Schema.dateTime, "updated_at": Schema.dateTime, "must_change_password": Schema.boolean,
                "clearance": Schema.ref("Clearance"),
            ], required: ["id", "username", "display_name", "roles", "disabled", "locked_until", "version", "created_at", "updated_at",
                          "must_change_password", "clearance"]),
            "UserPage": Schema.page(of: Schema.ref("User")),
            "NewUser": Schema.object([
                "username": ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9._-]{2,63}$"],
                "password": ["type": "string", "minLength": 12, "maxLength": 72, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"],
                "roles": roles,
                "display_name": ["type": ["string", "null"], "maxLength": 200],
                "clearance": Schema.ref("Clearance"),
            ], required: ["username", "password", "roles"]),
            "UserChanges": Schema.changes([
                "roles": roles,
                "disabled": Schema.boolean,
                "password": ["type": "string", "minLength": 12, "maxLength": 72, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"],
                "display_name": ["type": ["string", "null"], "maxLength": 200],
                "unlock": Schema.boolean,
                "clearance": Schema.ref("Clearance"),
            ]),
            "Login": Schema.object([
                "username": ["type": "string", "minLength": 1, "maxLength": 64],
                "password": ["type": "string", "minLength": 1, "maxLength": 1024],
            ], required: ["username", "password"]),
            "Token": Schema.object([
                "token": Schema.string, "token_type": Schema.enumeration(["Bearer"]), "expires_at": Schema.dateTime,
                "password_change_required": Schema.boolean,
            ], required: ["token", "token_type", "expires_at", "password_change_required"]),
            "TokenInfo": Schema.object([
                "id": Schema.uuid, "user_id": Schema.uuid, "issued_via": Schema.enumeration(["login", "cli"]),
                "issued_at": Schema.dateTime, "expires_at": Schema.dateTime, "revoked_at": Schema.nullable("string", format: "date-time"),
            ], required: ["id", "user_id", "issued_via", "issued_at", "expires_at", "revoked_at"]),
            "PasswordChange": Schema.object([
                "current_password": ["type": "string", "minLength": 1, "maxLength": 1024],
                "new_password": ["type": "string", "minLength": 12, "maxLength": 72, "pattern": "^[^\\u0000-\\u001f\\u007f]*$"],
            ], required: ["current_password", "new_password"]),
            "Me": Schema.object([
                "id": Schema.nullable("string", format: "uuid"), "username": Schema.string, "roles": Schema.array(Schema.ref("Role")),
                "clearance": Schema.ref("Clearance"),
            ], required: ["id", "username", "roles", "clearance"]),
        ]
    }

    public func addRoutes(to routes: RouteRegistry) {
        let admin = RouteSpec.Access.roles([.admin])
        routes.add(RouteSpec(.post, "/v1/auth/token", id: "login", summary: "Exchange a username and password for a bearer token",
                             tag: "auth", access: .open, body: Schema.ref("Login"),
                             replies: [200: .init("a new token", schema: Schema.ref("Token")),
                                       401: .init("wrong username or password, or disabled account", schema: Schema.ref("Problem"), contentType: "application/problem+json"),
                                       429: .init("too many attempts from this address, or too many failures of this username from it", schema: Schema.ref("Problem"), contentType: "application/problem+json")])) { request, context in
            let body = try await JSONBody.decode(LoginBody.self, from: request, context: context)
            let result = try await self.login(username: body.username, password: body.password, address: context.clientAddress,
                                              requestID: context.requestID)
            var response = try Response.json(result)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        routes.add(RouteSpec(.delete, "/v1/auth/token", id: "logout", summary: "Revoke the token presented", tag: "auth",
                             access: .authenticated, replies: [204: .init("revoked")])) { _, context, principal in
            try await self.logout(principal, requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.add(RouteSpec(.get, "/v1/me", id: "me", summary: "The caller and their roles", tag: "auth", access: .authenticated,
                             replies: [200: .init("the caller", schema: Schema.ref("Me"))])) { _, _, principal in
            try Response.json(Me(id: principal.userID, username: principal.username, roles: principal.roles.sorted(), clearance: principal.clearance))
        }
        routes.add(RouteSpec(.post, "/v1/me/password", id: "changeOwnPassword",
                             summary: "Change your own password (required after an administrator's reset); every token of the old one is revoked: log in again",
                             tag: "auth", access: .authenticated, body: Schema.ref("PasswordChange"),
                             replies: [204: .init("changed")])) { request, context, principal in
            let body = try await JSONBody.decode(PasswordChangeBody.self, from: request, context: context)
            try await self.changeOwnPassword(current: body.currentPassword, new: body.newPassword, by: principal, requestID: context.requestID)
            return Response(status: .noContent)
        }
        routes.add(RouteSpec(.get, "/v1/users/{id}/tokens", id: "listUserTokens", summary: "A user's tokens (never their values), newest first",
                             tag: "users", access: admin, parameters: [.id()],
                             replies: [200: .init("the tokens", schema: Schema.array(Schema.ref("TokenInfo"))),
                                       404: .problem("no such user")])) { _, context, principal in
            try Response.json(try await self.tokens(userID: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.delete, "/v1/tokens/{id}", id: "revokeToken", summary: "Revoke one token of any user",
                             tag: "users", access: admin, parameters: [.id()],
                             replies: [200: .init("revoked", schema: Schema.ref("TokenInfo")), 404: .problem("no such token"),
                                       409: .problem("the token is revoked already")])) { _, context, principal in
            try Response.json(try await self.revokeToken(id: try context.parameters.requireUUID("id"), by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.post, "/v1/users", id: "createUser", summary: "Create a user", tag: "users", access: admin,
                             body: Schema.ref("NewUser"),
                             replies: [201: .init("created", schema: Schema.ref("User"), headers: ["ETag", "Location"]),
                                       409: .init("the username is taken", schema: Schema.ref("Problem"), contentType: "application/problem+json")])) { request, context, principal in
            let new = try await JSONBody.decode(CreateUserBody.self, from: request, context: context).validated()
            let user = try await self.createUser(new, by: principal, requestID: context.requestID)
            return try Response.json(user, status: .created, version: user.version, location: "/v1/users/\(user.id.uuidString.lowercased())")
        }
        routes.add(RouteSpec(.get, "/v1/users", id: "listUsers", summary: "List users", tag: "users", access: admin,
                             parameters: [.limit, .cursor,
                                          .init("role", in: .query, schema: Schema.ref("Role"), "only users holding this role"),
                                          .init("disabled", in: .query, schema: Schema.boolean, "only disabled (true) or enabled (false) users")],
                             replies: [200: .init("a page of users", schema: Schema.ref("UserPage"))])) { request, context, principal in
            let query = request.uri.queryParameters
            let page = try PageRequest.parse(limit: query["limit"].map(String.init), cursor: query["cursor"].map(String.init), keyCount: 2)
            var role: Role?
            if let raw = query["role"] {
                guard let parsed = Role(rawValue: String(raw)) else { throw Problem.invalid("role", "is not a role") }
                role = parsed
            }
            var disabled: Bool?
            if let raw = query["disabled"] {
                guard let parsed = Bool(String(raw)) else { throw Problem.invalid("disabled", "must be true or false") }
                disabled = parsed
            }
            return try Response.json(try await self.users(page: page, role: role, disabled: disabled, by: principal, requestID: context.requestID))
        }
        routes.add(RouteSpec(.get, "/v1/users/{id}", id: "getUser", summary: "Read a user", tag: "users", access: admin,
                             parameters: [.id()],
                             replies: [200: .init("the user", schema: Schema.ref("User"), headers: ["ETag"]),
                                       404: .init("no such user", schema: Schema.ref("Problem"), contentType: "application/problem+json")])) { _, context, principal in
            let id = try context.parameters.requireUUID("id")
            let user = try await self.user(id: id, by: principal, requestID: context.requestID)
            return try Response.json(user, version: user.version)
        }
        routes.add(RouteSpec(.patch, "/v1/users/{id}", id: "updateUser", summary: "Change a user's roles, name, password or disabled state",
                             tag: "users", access: admin, parameters: [.id()], body: Schema.ref("UserChanges"),
                             replies: [200: .init("the updated user", schema: Schema.ref("User"), headers: ["ETag"]),
                                       404: .init("no such user", schema: Schema.ref("Problem"), contentType: "application/problem+json")],
                             conditional: true)) { request, context, principal in
            let id = try context.parameters.requireUUID("id")
            let version = try ETag.requiredVersion(request)
            let changes = try await JSONBody.decode(UpdateUserBody.self, from: request, context: context).changes()
            let user = try await self.updateUser(id: id, expectedVersion: version, changes: changes, by: principal, requestID: context.requestID)
            return try Response.json(user, version: user.version)
        }
    }
}
