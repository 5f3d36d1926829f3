import Glibc

enum Clock {
    /// Unix seconds, as itsdangerous's `int(time.time())`.
    static func seconds() -> Int64 {
        Int64(time(nil))
    }
}
