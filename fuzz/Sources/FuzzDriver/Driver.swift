import Glibc

/// libFuzzer's entry for programs that have their own `main`, as SwiftPM executables do.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The target's body; set once, before libFuzzer starts calling.
nonisolated(unsafe) private var target: ([UInt8]) -> Void = { _ in }

/// Runs libFuzzer with this process's arguments, feeding each input to `body` as bytes, and
/// exits with its status. `body` checks its properties with `precondition`.
public func fuzz(_ body: @escaping ([UInt8]) -> Void) -> Never {
    target = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(
        runDriver(&argc, &argv) { data, count in
            target(data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
            return 0
        })
}
