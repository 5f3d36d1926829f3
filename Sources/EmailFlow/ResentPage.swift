import Views

/// `verification_resent.mustache`: what the expired link's "send again" did: a new mail to the
/// address, or nothing, because the address is verified already.
public struct ResentPage: PageView {
    public static let template = "verification_resent"

    let email: String
    let alreadyVerified: Bool

    public var context: ViewContext {
        ["email": .text(email), "already_verified": .flag(alreadyVerified)]
    }
}
