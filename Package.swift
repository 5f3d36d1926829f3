// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "meiduo-email",
    products: [
        .executable(name: "meiduo-email", targets: ["MeiduoEmail"]),
        // The parsers and the token, for the fuzz targets in fuzz/.
        .library(name: "MeiduoEmailCore", targets: ["Codecs", "HTTP", "EmailCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian, imported as they are.
        .systemLibrary(name: "CFastCGI", path: "Sources/C/CFastCGI", pkgConfig: "fcgi"),
        .systemLibrary(name: "CMariaDB", path: "Sources/C/CMariaDB", pkgConfig: "libmariadb"),
        .systemLibrary(name: "CCurl", path: "Sources/C/CCurl", pkgConfig: "libcurl"),
        .systemLibrary(name: "COpenSSL", path: "Sources/C/COpenSSL", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CLinux", path: "Sources/C/CLinux"),
        .systemLibrary(name: "CZlib", path: "Sources/C/CZlib", pkgConfig: "zlib"),
        .systemLibrary(name: "CHiredis", path: "Sources/C/CHiredis"),

        // One thin, safe Swift wrapper per C library, and one over the system calls; nothing
        // above them sees a C pointer or errno (descriptors cross as numbers only where a child inherits them).
        .target(name: "FastCGI", dependencies: ["CFastCGI", "CLinux", "Processes", "Addresses"]),
        .target(name: "MariaDB", dependencies: ["CMariaDB"]),
        .target(name: "OpenSSL", dependencies: ["COpenSSL"]),
        .target(name: "Curl", dependencies: ["CCurl"]),
        .target(name: "Zlib", dependencies: ["CZlib"]),
        .target(name: "Redis", dependencies: ["CHiredis"]),
        .target(name: "Processes", dependencies: ["CLinux", .product(name: "Logging", package: "swift-log")]),

        // Pure logic: encodings (and the data-only pickle reader); HTTP (requests, responses, cookies, forms, JSON, routing); the
        // verification token, the MIME mail and the address rule.
        .target(name: "Codecs"),
        // IP addresses, CIDR ranges and listen addresses, as text and as bytes.
        .target(name: "Addresses"),
        .target(name: "HTTP", dependencies: ["Codecs"]),
        .target(name: "EmailCore", dependencies: ["Codecs", "HTTP", "OpenSSL"]),

        // Metrics: what is recorded (each metric described once, handles by process role, through
        // swift-metrics), and how the process tree's
        // figures become one Prometheus scrape (swift-prometheus).
        .target(name: "Instruments", dependencies: ["Processes", .product(name: "CoreMetrics", package: "swift-metrics")]),
        .target(
            name: "Telemetry",
            dependencies: [
                "Instruments", "Processes", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),

        // The application, layer by layer.
        .target(name: "Settings", dependencies: ["Codecs", "EmailCore", "Processes", "Addresses"]),
        // Store is the only way into MariaDB (it imports the driver internally): a transaction is
        // a type, the queue's protocol one component.
        .target(
            name: "Store",
            dependencies: [
                "MariaDB", "Redis", "OpenSSL", "Codecs", "Settings", "Processes", "Instruments", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Views", dependencies: ["HTTP", .product(name: "Mustache", package: "swift-mustache")]),
        .target(
            name: "Auth",
            dependencies: [
                "HTTP", "Store", "Views", "OpenSSL", "Codecs", "Settings", "Processes", "Zlib", "Instruments",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "EmailFlow",
            dependencies: [
                "Auth", "EmailCore", "HTTP", "Processes", "Settings", "Store", "Views", "Instruments",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "MailPool",
            dependencies: [
                "Codecs", "Curl", "EmailCore", "Processes", "Settings", "Store", "Instruments", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Service",
            dependencies: [
                "FastCGI", "HTTP", "Settings", "Store", "Views", "Auth", "EmailFlow", "MailPool", "Processes",
                "Instruments", "Telemetry", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]),
        .executableTarget(
            name: "MeiduoEmail",
            dependencies: [
                "Service", "Settings", "Store", "Auth", "EmailFlow", "Views", "FastCGI", "MailPool", "Processes",
                "Instruments", "Telemetry", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime linked in: each of the four processes maps less (see README,
            // "Benchmarks"). Only the link step of this binary, so the tests build in the same
            // configuration with the test libraries, which exist only as shared objects.
            linkerSettings: [
                .unsafeFlags([
                    "-static-stdlib", "-Xlinker", "--start-group", "-lFoundation", "-lFoundationEssentials",
                    "-lFoundationInternationalization", "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims",
                    "-l_FoundationCollections", "-lswiftSynchronization", "-lswiftDispatch", "-Xlinker", "--end-group",
                ])
            ]),

        // Unit tests of pure logic, and ServiceTests: the real app driven without sockets
        // against the test MariaDB (`make test` runs them once its stack is up).
        .testTarget(name: "CodecsTests", dependencies: ["Codecs"], exclude: ["Fixtures"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "AddressesTests", dependencies: ["Addresses"]),
        .testTarget(name: "EmailCoreTests", dependencies: ["EmailCore", "Codecs", "OpenSSL"]),
        .testTarget(name: "OpenSSLTests", dependencies: ["OpenSSL", "Codecs"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "Processes", "Addresses"]),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "Codecs", "OpenSSL", "HTTP", "Settings", "Zlib"], exclude: ["Fixtures"]),
        .testTarget(name: "ViewsTests", dependencies: ["Views"]),
        .testTarget(name: "MailPoolTests", dependencies: ["MailPool", "Settings", "Store", "Instruments"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Processes", "Instruments"]),
        .testTarget(name: "ProcessesTests", dependencies: ["Processes"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"]),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "Settings", "Store", "HTTP", "Auth", "EmailCore", "MariaDB", "Processes", "Telemetry",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
    ]
)
