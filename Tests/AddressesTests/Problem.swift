import Addresses

/// What `body` was refused with, in the operator's words; nil when it was accepted.
func problem(_ body: () throws(AddressProblem) -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return error.description
    }
}
