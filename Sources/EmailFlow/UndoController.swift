import Auth
import EmailCore
import HTTP
import Processes
import Settings
import Store
import Views

/// `/emails/undo/`: the notice's "this wasn't me" link. `GET` (and `HEAD`) only shows what it
/// would undo; the page's CSRF-protected button (`POST`) restores the old address as verified,
/// cancels the new one's unsent mail and, where the service owns the sessions, ends them all.
/// A link works once, and not for a change a later one has superseded.
public final class UndoController {
    private let database: Database
    private let templates: Templates
    private let csrf: CSRF
    private let keys: [[UInt8]]
    /// The service's own sessions, which an undo ends; a shop's end when its password changes.
    private let ownsSessions: Bool
    private let lifetime: Int

    public static let path = "/emails/undo/"

    public init(database: Database, templates: Templates, settings: Settings) {
        self.database = database
        self.templates = templates
        csrf = CSRF(settings.sessions)
        keys = [settings.secretKey] + settings.secretKeyFallbacks
        ownsSessions = settings.sessions.engine == .service
        lifetime = settings.accountSafety.undoLifetime
    }

    public func page(_ request: Request) throws -> Response {
        let token = request.query("token")
        let (claims, change) = try live(token: token)
        guard let user = try database.run({ try Users.find(id: claims.userID, on: $0) }) else { throw Self.invalid() }
        let secret = csrf.secret(for: request)
        var page = try templates.page(
            UndoConfirmPage(
                username: user.username, oldEmail: change.oldEmail, newEmail: change.newEmail, token: token ?? "",
                csrfToken: CSRF.mask(secret), endsSessions: ownsSessions))
        page.cookies = [csrf.cookie(secret)]
        return page
    }

    public func head(_ request: Request) throws -> Response {
        _ = try live(token: request.query("token"))
        return .html("")
    }

    public func undo(_ request: Request) throws -> Response {
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        let claims = try verify(token: try request.form()["token"])
        let state = try database.transaction {
            try AddressChanges.undo(userID: claims.userID, digest: claims.digest, endingSessions: ownsSessions, in: $0)
        }
        let change = try Self.live(state)
        let username = try database.run { try Users.find(id: claims.userID, on: $0) }?.username ?? ""
        return try templates.page(UndoDonePage(username: username, oldEmail: change.oldEmail, endedSessions: ownsSessions))
    }

    private func live(token: String?) throws -> (UndoToken.Claims, AddressChanges.Change) {
        let claims = try verify(token: token)
        let state = try database.run { try AddressChanges.state(userID: claims.userID, digest: claims.digest, on: $0) }
        return (claims, try Self.live(state))
    }

    private func verify(token: String?) throws -> UndoToken.Claims {
        guard let token, !token.isEmpty else { throw HTTPError(.badRequest, code: .necessaryParameter, "缺少token") }
        switch UndoToken.verify(token, keys: keys, now: Clock.unixSeconds()) {
        case .success(let claims):
            return claims
        case .failure(.expired):
            throw HTTPError(
                .forbidden, code: .parameter, "恢复链接已过期",
                hint: "恢复链接的有效期为 \(Validity.text(seconds: lifetime))。如果账号邮箱被他人更换，请联系客服。")
        case .failure(.invalid):
            throw Self.invalid()
        }
    }

    private static func live(_ state: AddressChanges.State) throws -> AddressChanges.Change {
        switch state {
        case .live(let change):
            return change
        case .unknown:
            throw invalid()
        case .used:
            throw HTTPError(.gone, code: .parameter, "该链接已使用过", hint: "原邮箱已经恢复，无需再次操作。", action: .link("/info/", label: "前往用户中心"))
        case .superseded:
            throw HTTPError(
                .conflict, code: .parameter, "该链接已失效",
                hint: "这次更换之后账号邮箱又有变更，恢复它会覆盖之后的变更。如果这些变更都不是您本人的操作，请联系客服。",
                action: .link("/info/", label: "前往用户中心"))
        }
    }

    private static func invalid(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.forbidden, code: .parameter, "无效的链接", fileID: fileID, line: line)
    }
}
