import CCurl

public enum CurlLibrary {
    /// Initialises libcurl. Call once per process, before any thread uses it.
    public static func initialize() {
        precondition(curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK, "curl_global_init failed")
    }
}
