import Foundation
import HTTP

/// The files under `templates/static/`, read once at start-up and served from memory at
/// `/emails/static/<name>`: the pages' stylesheet and scripts, which the Content-Security-Policy
/// keeps out of the pages themselves.
public struct StaticAssets: Sendable {
    public static let pathPrefix = "/emails/static/"

    public struct Asset: Sendable {
        public let body: [UInt8]
        public let contentType: String
        /// A strong validator: the FNV-1a hash of the body.
        public let etag: String
    }

    public let assets: [String: Asset]

    public init(directory: String) throws {
        let folder = directory + "/static"
        var assets: [String: Asset] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names.sorted() {
            guard let contentType = Self.contentType(of: name) else { continue }
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(name)") else {
                throw Templates.LoadError(description: "static file \(folder)/\(name) cannot be read")
            }
            let body = [UInt8](data)
            assets[Self.pathPrefix + name] = Asset(body: body, contentType: contentType, etag: Self.etag(body))
        }
        self.assets = assets
    }

    public func response(for path: String, ifNoneMatch: String?) -> Response? {
        guard let asset = assets[path] else { return nil }
        var response = Response(status: .ok, headers: [("Content-Type", asset.contentType), ("ETag", asset.etag), ("Cache-Control", "no-cache")])
        if ifNoneMatch == asset.etag {
            response.status = .notModified
        } else {
            response.body = asset.body
        }
        return response
    }

    private static func contentType(of name: String) -> String? {
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        return nil
    }

    private static func etag(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return "\"" + String(hash, radix: 16) + "\""
    }
}
