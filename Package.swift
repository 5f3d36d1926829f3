// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "meiduo-email",
    products: [
        .executable(name: "meiduo-email", targets: ["MeiduoEmail"]),
        // The pure parsers and the token, for the fuzz targets in fuzz/.
        .library(name: "MeiduoEmailCore", targets: ["Codecs", "HTTP", "EmailFlow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // C libraries from Debian, imported as they are.
        .systemLibrary(name: "CFastCGI", path: "Sources/C/CFastCGI", pkgConfig: "fcgi"),
        .systemLibrary(name: "CMariaDB", path: "Sources/C/CMariaDB", pkgConfig: "libmariadb"),
        .systemLibrary(name: "CCurl", path: "Sources/C/CCurl", pkgConfig: "libcurl"),
        .systemLibrary(name: "COpenSSL", path: "Sources/C/COpenSSL", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CLinux", path: "Sources/C/CLinux"),

        // One thin, safe Swift wrapper per C library; nothing above them sees a C pointer.
        .target(name: "FastCGI", dependencies: ["CFastCGI", "CLinux"]),
        .target(name: "MariaDB", dependencies: ["CMariaDB"]),
        .target(name: "OpenSSL", dependencies: ["COpenSSL"]),
        .target(name: "Curl", dependencies: ["CCurl"]),

        // Pure logic: encodings, and HTTP (requests, responses, cookies, forms, JSON, routing).
        .target(name: "Codecs"),
        .target(name: "HTTP", dependencies: ["Codecs"]),

        // The application, layer by layer.
        .target(name: "Processes", dependencies: ["CLinux", .product(name: "Logging", package: "swift-log")]),
        .target(name: "Settings", dependencies: ["MariaDB"]),
        .target(name: "Store", dependencies: ["MariaDB", "OpenSSL", "Codecs"]),
        .target(name: "Views", dependencies: ["HTTP", .product(name: "Mustache", package: "swift-mustache")]),
        .target(name: "Auth", dependencies: ["HTTP", "Store", "Views", "OpenSSL", "Codecs"]),
        .target(name: "EmailFlow", dependencies: ["Auth", "HTTP", "Store", "Views", "OpenSSL", "Codecs"]),
        .target(name: "MailPool", dependencies: [
            "CLinux", "Curl", "MariaDB", "Processes", "Store", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Service", dependencies: [
            "FastCGI", "MariaDB", "HTTP", "Settings", "Store", "Views", "Auth", "EmailFlow", "MailPool", "Processes",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "MeiduoEmail", dependencies: [
            "Service", "Settings", "Store", "Auth", "FastCGI", "MariaDB", "MailPool", "Processes",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "Codecs", "OpenSSL", "HTTP"], exclude: ["Fixtures"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs"]),
        .testTarget(name: "EmailFlowTests", dependencies: ["EmailFlow", "Codecs", "HTTP", "Views"]),
        .testTarget(name: "MailPoolTests", dependencies: ["MailPool"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "ViewsTests", dependencies: ["Views"]),
    ]
)
