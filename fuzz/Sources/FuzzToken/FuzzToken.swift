import EmailCore
import FuzzDriver

/// No token text crashes the verifiers (the verification link's and the undo link's), and only a
/// token signed with the secret verifies.
@main
struct Fuzz {
    static let secret = Array("fuzzing-secret".utf8)

    static func main() {
        fuzz { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if case .success(let claims) = VerificationToken.verify(text, secret: secret, now: 1_700_000_000) {
                // Only possible if the input is a genuine token: signing the claims must give it back.
                precondition(text.split(separator: ".").count == 3, "\(claims)")
            }
            if case .success(let claims) = UndoToken.verify(text, keys: [secret], now: 1_700_000_000) {
                precondition(text.split(separator: ".", omittingEmptySubsequences: false).count == 4, "\(claims)")
            }
            let claims = VerificationToken.Claims(userID: Int64(bytes.count), email: text)
            let minted = VerificationToken.sign(claims, secret: secret, issuedAt: 1_700_000_000, expiresIn: 60)
            // Tokens over 2,048 characters are refused by design (a real address makes ~550).
            guard minted.utf8.count <= 2048 else { return }
            precondition(VerificationToken.verify(minted, secret: secret, now: 1_700_000_000) == .success(claims))
        }
    }
}
