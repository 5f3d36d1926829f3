import Glibc

/// Reading a secret typed at a terminal.
public enum Terminal {
    /// One line from standard input, without echo when it is a terminal (after `prompt` on
    /// standard error). nil at end of input.
    public static func readSecretLine(prompt: String) -> String? {
        guard FileDescriptor.standardInput.isTerminal else { return readLine(strippingNewline: true) }
        FileDescriptor.standardError.write(Array(prompt.utf8))
        var saved = termios()
        tcgetattr(0, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &quiet)
        let line = readLine(strippingNewline: true)
        tcsetattr(0, TCSANOW, &saved)
        FileDescriptor.standardError.write(Array("\n".utf8))
        return line
    }
}
