import FuzzDriver
import EmailFlow

private let secret = Array("fuzzing-secret".utf8)

/// No token text crashes the verifier, and only a token signed with the secret verifies.
@main
struct Fuzz {
    static func main() {
        fuzzMain { data, count in
            guard let data else { return 0 }
            return fuzz(data, count)
        }
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    if case .success(let claims) = VerificationToken.verify(text, secret: secret, now: 1_700_000_000) {
        // Only possible if the input is a genuine token: signing the claims must give it back.
        precondition(text.split(separator: ".").count == 3, "\(claims)")
    }
    let minted = VerificationToken.sign(.init(userID: Int64(count), email: text), secret: secret, issuedAt: 1_700_000_000, expiresIn: 60)
    // Tokens over 2,048 characters are refused by design (a real address makes ~550).
    guard minted.utf8.count <= 2048 else { return 0 }
    precondition(VerificationToken.verify(minted, secret: secret, now: 1_700_000_000) == .success(.init(userID: Int64(count), email: text)))
    return 0
}
