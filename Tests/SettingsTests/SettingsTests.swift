import EmailCore
import Processes
import Settings
import Testing

/// Every variable: its default, a good value, and a bad one stopping start-up with one line
/// that names it.
@Suite struct SettingsTests {
    static let required = ["SECRET_KEY": "test-secret"]

    func settings(_ values: [String: String] = [:]) throws -> Settings {
        try Settings(Environment(Self.required.merging(values) { $1 }))
    }

    func problem(_ values: [String: String]) -> String? {
        do {
            _ = try settings(values)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func defaults() throws {
        let s = try settings()
        #expect(s.database == (try DatabaseSettings(Environment([:]))))
        #expect(s.database.socket == nil)
        #expect(s.database.nodes.isEmpty)
        #expect(s.database.port == 3306)
        #expect(s.database.user == "meiduo")
        #expect(s.database.password == nil)
        #expect(s.database.name == "meiduo")
        #expect(s.database.connectTimeout == 3)
        #expect(s.database.readTimeout == 30)
        #expect(s.logLevel == .info)
        #expect(s.logFormat == .line)
        #expect(s.outboxRetention == 30 * 86400)
        #expect(s.socket.address == .unix("meiduo-email.sock"))
        #expect(s.socket.clients == nil)
        #expect(s.socket.metricsDirectory == "meiduo-email.sock.metrics")
        #expect(s.socket.mode == 0o660)
        #expect(s.socket.groupID == nil)
        #expect(s.runAs.name == "nobody")
        #expect(s.templatesDirectory == "templates")
        #expect(s.responder.threads == 8)
        #expect(s.responder.bodyLimit == 65536)
        #expect(s.responder.readTimeout == 10)
        #expect(s.loginThrottle == (try LoginThrottleSettings(Environment([:]))))
        #expect(s.loginThrottle.accountFailures == 5)
        #expect(s.loginThrottle.addressFailures == 100)
        #expect(s.loginThrottle.window == 900)
        #expect(s.mail.changeNotice)
        #expect(!s.mail.reconfirmable)
        #expect(s.sessions.age == 1_209_600)
        #expect(!s.sessions.cookieSecure)
        #expect(!s.sessions.csrfCookieSecure)
        #expect(s.sessions.passwordIterations == 600_000)
        #expect(s.sessions.engine == .service)
        #expect(s.sessions.cookieName == "sessionid")
        #expect(s.sessions.csrfCookieName == "csrftoken")
        #expect(s.sessions.trustedOrigins.isEmpty)
        #expect(s.sessions.useTimeZone)
        #expect(s.sessions.authenticationBackends == ["django.contrib.auth.backends.ModelBackend"])
        #expect(s.secretKey == Array("test-secret".utf8))
        #expect(s.secretKeyFallbacks.isEmpty)
        #expect(s.verification.url == "http://127.0.0.1:8080/emails/verification/")
        #expect(s.verification.lifetime == 86400)
        #expect(!s.verification.confirmPage)
        #expect(s.mail.from == (try MailAddress.parse("美多商城<hmmeiduo@163.com>")))
        #expect(s.mail.throttleAddressInterval == 60)
        #expect(s.mail.throttleUserHourly == 5)
        guard case .smtp(let smtp) = s.delivery.transport else {
            Issue.record("smtp is the default backend")
            return
        }
        #expect(smtp.host == "localhost")
        #expect(smtp.port == 25)
        #expect(!smtp.useTLS)
        #expect(!smtp.useSSL)
        #expect(smtp.username == nil)
        #expect(smtp.password == nil)
        #expect(smtp.verifyPeer)
        #expect(smtp.caFile == nil)
        #expect(smtp.timeout == 30)
        #expect(smtp.connectTimeout == 10)
        #expect(s.delivery.workers == 2)
        #expect(s.delivery.leaseSeconds == 60)
        #expect(s.delivery.batchSize == 32)
        #expect(s.delivery.retryBase == 3)
        #expect(s.delivery.maxRetries == 3)
        #expect(s.delivery.retryJitter == 0)
        #expect(s.delivery.pollInterval == 1)
        #expect(s.delivery.niceness == 10)
        #expect(s.delivery.maxQueueLag == 10)
    }

    @Test func goodValues() throws {
        let s = try settings([
            "MEIDUO_DB_SOCKET": "/run/db.sock", "MEIDUO_DB_HOST": "db.internal", "MEIDUO_DB_PORT": "3307",
            "MEIDUO_DB_USER": "shop", "MEIDUO_DB_PASSWORD": "pw", "MEIDUO_DB_NAME": "mall",
            "MEIDUO_DB_CONNECT_TIMEOUT": "5", "MEIDUO_DB_READ_TIMEOUT": "9", "MEIDUO_LOG_LEVEL": "debug",
            "MEIDUO_SOCKET": "/run/x.sock", "MEIDUO_SOCKET_MODE": "0666", "MEIDUO_SOCKET_GROUP": "root", "MEIDUO_USER": "root",
            "MEIDUO_TEMPLATES": "/opt/t", "MEIDUO_THREADS": "4", "MEIDUO_BODY_LIMIT": "2048", "MEIDUO_READ_TIMEOUT": "2.5",
            "MEIDUO_LOG_FORMAT": "json", "MEIDUO_OUTBOX_RETENTION": "7d", "MEIDUO_LOGIN_FAILURES": "3", "MEIDUO_LOGIN_ADDRESS_FAILURES": "50",
            "MEIDUO_LOGIN_WINDOW": "600",
            "MEIDUO_EMAIL_CHANGE_NOTICE": "false", "EMAIL_RECONFIRMABLE": "true", "EMAIL_USE_TLS": "false",
            "SESSION_COOKIE_AGE": "3600", "SESSION_COOKIE_SECURE": "True", "CSRF_COOKIE_SECURE": "on",
            "MEIDUO_PASSWORD_ITERATIONS": "720000", "PORT": "9000", "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
            "SESSION_COOKIE_NAME": "shop_session", "CSRF_COOKIE_NAME": "shop_csrf", "CSRF_TRUSTED_ORIGINS": "https://a.cn, https://*.b.cn",
            "AUTHENTICATION_BACKENDS": "meiduo_mall.utils.authenticate.UsernameMobileAuthBackend", "USE_TZ": "False",
            "SECRET_KEY_FALLBACKS": "old-one,older-one", "VERIFY_EMAIL_TOKEN_EXPIRES": "600",
            "VERIFY_EMAIL_CONFIRM_PAGE": "yes", "EMAIL_FROM": "Meiduo <noreply@meiduo.site>",
            "MEIDUO_THROTTLE_ADDRESS_INTERVAL": "0", "MEIDUO_THROTTLE_USER_HOURLY": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.163.com", "EMAIL_PORT": "465",
            "EMAIL_USE_SSL": "1", "EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p", "EMAIL_TIMEOUT": "5",
            "MEIDUO_EMAIL_VERIFY_PEER": "false", "MEIDUO_EMAIL_CA_FILE": "/etc/ca.pem", "MEIDUO_MAIL_WORKERS": "0",
            "MEIDUO_MAIL_LEASE": "6", "MEIDUO_MAIL_BATCH": "1", "MEIDUO_MAIL_RETRY_BASE": "0.5", "MEIDUO_MAIL_MAX_RETRIES": "0",
            "MEIDUO_MAIL_RETRY_JITTER": "0.2", "MEIDUO_MAIL_POLL_INTERVAL": "0.1", "MEIDUO_MAIL_NICE": "0",
            "MEIDUO_MAIL_MAX_LAG": "2.5",
        ])
        #expect(s.database.socket == "/run/db.sock")
        #expect(s.database.nodes == [DatabaseNode(host: "db.internal", port: 3307)])
        #expect(s.database.port == 3307)
        #expect(s.database.user == "shop")
        #expect(s.database.password == "pw")
        #expect(s.database.name == "mall")
        #expect(s.database.connectTimeout == 5)
        #expect(s.database.readTimeout == 9)
        #expect(s.logLevel == .debug)
        #expect(s.logFormat == .json)
        #expect(s.outboxRetention == 7 * 86400)
        #expect(s.socket.address == .unix("/run/x.sock"))
        #expect(s.socket.mode == 0o666)
        #expect(s.socket.groupID == 0)
        #expect(s.runAs.uid == 0)
        #expect(s.templatesDirectory == "/opt/t")
        #expect(s.responder.threads == 4)
        #expect(s.responder.bodyLimit == 2048)
        #expect(s.responder.readTimeout == 2.5)
        #expect(s.loginThrottle.accountFailures == 3)
        #expect(s.loginThrottle.addressFailures == 50)
        #expect(s.loginThrottle.window == 600)
        #expect(!s.mail.changeNotice)
        #expect(s.mail.reconfirmable)
        #expect(s.sessions.age == 3600)
        #expect(s.sessions.cookieSecure)
        #expect(s.sessions.csrfCookieSecure)
        #expect(s.sessions.passwordIterations == 720_000)
        #expect(s.sessions.engine == .djangoCachedDatabase)
        #expect(s.sessions.cache == nil, "cached_db without a cache reads the table")
        #expect(s.sessions.cookieName == "shop_session")
        #expect(s.sessions.csrfCookieName == "shop_csrf")
        #expect(s.sessions.trustedOrigins == ["https://a.cn", "https://*.b.cn"])
        #expect(!s.sessions.useTimeZone)
        #expect(s.sessions.authenticationBackends == ["meiduo_mall.utils.authenticate.UsernameMobileAuthBackend"])
        #expect(s.secretKeyFallbacks == [Array("old-one".utf8), Array("older-one".utf8)])
        #expect(try settings(["SESSION_ENGINE": "django.contrib.sessions.backends.db"]).sessions.engine == .djangoDatabase)
        #expect(try settings(["SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies"]).sessions.engine == .djangoSignedCookies)
        #expect(s.verification.url == "http://127.0.0.1:9000/emails/verification/", "PORT picks the default link's port")
        #expect(s.verification.lifetime == 600)
        #expect(s.verification.confirmPage)
        #expect(s.mail.from.displayName == "Meiduo")
        #expect(s.mail.from.address == "noreply@meiduo.site")
        #expect(s.mail.throttleAddressInterval == 0)
        #expect(s.mail.throttleUserHourly == 0)
        #expect(
            s.delivery.transport
                == .smtp(
                    .init(
                        host: "smtp.163.com", port: 465, useTLS: false, useSSL: true, username: "u", password: "p", verifyPeer: false,
                        caFile: "/etc/ca.pem", timeout: 5)))
        #expect(s.delivery.workers == 0)
        #expect(s.delivery.leaseSeconds == 6)
        #expect(s.delivery.batchSize == 1)
        #expect(s.delivery.retryBase == 0.5)
        #expect(s.delivery.maxRetries == 0)
        #expect(s.delivery.retryJitter == 0.2)
        #expect(s.delivery.pollInterval == 0.1)
        #expect(s.delivery.niceness == 0)
        #expect(s.delivery.maxQueueLag == 2.5)
        #expect(
            try settings(["EMAIL_VERIFY_URL": "https://www.meiduo.site/emails/verification/"]).verification.url
                == "https://www.meiduo.site/emails/verification/")
        guard case .smtp(let tls) = try settings(["EMAIL_USE_TLS": "true"]).delivery.transport else { return }
        #expect(tls.useTLS)
        #expect(!tls.useSSL)
    }

    @Test(arguments: [
        ("smtp", "smtp"), ("file", "file"), ("console", "console"),
        ("django.core.mail.backends.filebased.EmailBackend", "file"), ("django.core.mail.backends.console.EmailBackend", "console"),
    ])
    func backendsByOurNameOrDjangos(name: String, kind: String) throws {
        let transport = try settings(["EMAIL_BACKEND": name, "EMAIL_FILE_PATH": "/var/mail"]).delivery.transport
        switch transport {
        case .smtp: #expect(kind == "smtp")
        case .file(let directory):
            #expect(kind == "file")
            #expect(directory == "/var/mail")
        case .console: #expect(kind == "console")
        }
    }

    @Test(arguments: [
        ("MEIDUO_DB_PORT", "0"), ("MEIDUO_DB_PORT", "http"), ("MEIDUO_DB_HOST", "a,,b"), ("MEIDUO_DB_HOST", "a,"),
        ("MEIDUO_DB_HOST", "a:0"), ("MEIDUO_DB_HOST", "a:65536"), ("MEIDUO_DB_HOST", "a:x"), ("MEIDUO_DB_HOST", "a:"),
        ("MEIDUO_DB_HOST", "::1"), ("MEIDUO_DB_HOST", "[::1"), ("MEIDUO_DB_HOST", "[::1]3306"), ("MEIDUO_DB_HOST", "[db]:3306"),
        ("MEIDUO_DB_HOST", "a b"), ("MEIDUO_DB_HOST", "a;b"), ("MEIDUO_DB_HOST", "a,a:3306"), ("MEIDUO_DB_HOST", "-a"),
        ("MEIDUO_DB_CONNECT_TIMEOUT", "0"), ("MEIDUO_DB_READ_TIMEOUT", "x"),
        ("MEIDUO_LOG_LEVEL", "verbose"), ("MEIDUO_SOCKET_MODE", "0999"), ("MEIDUO_SOCKET_MODE", "rw"),
        ("MEIDUO_SOCKET_GROUP", "no-such-group-here"), ("MEIDUO_USER", "no-such-user-here"), ("MEIDUO_THREADS", "0"),
        ("MEIDUO_THREADS", "many"), ("MEIDUO_BODY_LIMIT", "10"), ("SESSION_COOKIE_AGE", "59"), ("SESSION_COOKIE_SECURE", "maybe"),
        ("CSRF_COOKIE_SECURE", "2"), ("MEIDUO_PASSWORD_ITERATIONS", "999"),
        ("SESSION_ENGINE", "django.contrib.sessions.backends.file"), ("SESSION_COOKIE_NAME", "a;b"), ("CSRF_COOKIE_NAME", "x y"),
        ("CSRF_TRUSTED_ORIGINS", "shop.example.com"), ("USE_TZ", "utc"), ("MEIDUO_READ_TIMEOUT", "0"),
        ("MEIDUO_LOGIN_FAILURES", "-1"), ("MEIDUO_LOGIN_ADDRESS_FAILURES", "x"), ("MEIDUO_LOGIN_WINDOW", "0"),
        ("MEIDUO_EMAIL_CHANGE_NOTICE", "sometimes"), ("EMAIL_RECONFIRMABLE", "2"), ("MEIDUO_LOG_FORMAT", "xml"),
        ("MEIDUO_OUTBOX_RETENTION", "30m"), ("MEIDUO_OUTBOX_RETENTION", "forever"), ("EMAIL_VERIFY_URL", "ftp://x/"),
        ("EMAIL_VERIFY_URL", "/emails/verification/"), ("VERIFY_EMAIL_TOKEN_EXPIRES", "0"), ("VERIFY_EMAIL_CONFIRM_PAGE", "sure"),
        ("EMAIL_FROM", "nobody"), ("EMAIL_FROM", "Name <a@b.cn>\r\nBcc: x@y.cn"), ("MEIDUO_THROTTLE_ADDRESS_INTERVAL", "-1"),
        ("MEIDUO_THROTTLE_USER_HOURLY", "lots"), ("MEIDUO_THROTTLE_ADDRESS_HOURLY", "-2"),
        ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"),
        ("EMAIL_PORT", "70000"), ("EMAIL_USE_TLS", "perhaps"), ("EMAIL_USE_SSL", "perhaps"), ("EMAIL_TIMEOUT", "0"),
        ("EMAIL_TIMEOUT", "nan"), ("MEIDUO_EMAIL_VERIFY_PEER", "x"), ("MEIDUO_MAIL_WORKERS", "65"), ("MEIDUO_MAIL_LEASE", "0.1"),
        ("MEIDUO_MAIL_BATCH", "0"), ("MEIDUO_MAIL_RETRY_BASE", "0"), ("MEIDUO_MAIL_MAX_RETRIES", "21"),
        ("MEIDUO_MAIL_RETRY_JITTER", "2"), ("MEIDUO_MAIL_POLL_INTERVAL", "0"), ("MEIDUO_MAIL_NICE", "20"),
        ("MEIDUO_MAIL_MAX_LAG", "-1"), ("MEIDUO_REAUTH_WINDOW", "-1"), ("MEIDUO_REAUTH_WINDOW", "10m"), ("MEIDUO_UNDO_EXPIRES", "0"),
        ("MEIDUO_UNDO_URL", "/emails/undo/"), ("MEIDUO_UNDO_URL", "javascript:alert(1)"),
    ])
    func badValuesStopStartUpWithOneLineNamingTheVariable(name: String, value: String) {
        let message = problem([name: value])
        #expect(message?.contains(name) == true, "\(name)=\(value): \(message ?? "accepted")")
        #expect(message?.contains("\n") == false)
    }

    @Test func accountSafetyDefaultsAndTheUndoLinkBesideTheVerificationLink() throws {
        let defaults = try settings().accountSafety
        #expect(defaults.reauthWindow == 600)
        #expect(defaults.undoLifetime == 7 * 86400)
        #expect(try settings(["MEIDUO_REAUTH_WINDOW": "0"]).accountSafety.reauthWindow == 0, "0 turns the rule off")
        for (verify, undo) in [
            ("https://www.meiduo.site/emails/verification/", "https://www.meiduo.site/emails/undo/"),
            ("https://shop.example.com/mall/emails/verification/", "https://shop.example.com/mall/emails/undo/"),
            ("https://shop.example.com/verify?x=1", "https://shop.example.com/emails/undo/"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/emails/undo/"),
        ] {
            #expect(try settings(["EMAIL_VERIFY_URL": verify]).accountSafety.undoURL == undo, "\(verify)")
        }
        #expect(
            try settings(["EMAIL_VERIFY_URL": "https://a.example/emails/verification/", "MEIDUO_UNDO_URL": "https://b.example/undo/"])
                .accountSafety.undoURL == "https://b.example/undo/")
    }

    @Test func databaseNodesAreListedInOrderWithTheirPorts() throws {
        let s = try settings(["MEIDUO_DB_HOST": "db1.internal, 10.0.0.2:3307,[fd00::3]:3308,[::1],db_4", "MEIDUO_DB_PORT": "3400"])
        #expect(
            s.database.nodes == [
                DatabaseNode(host: "db1.internal", port: 3400), DatabaseNode(host: "10.0.0.2", port: 3307),
                DatabaseNode(host: "fd00::3", port: 3308), DatabaseNode(host: "::1", port: 3400), DatabaseNode(host: "db_4", port: 3400),
            ])
        #expect(s.database.nodes.map(\.description) == ["db1.internal:3400", "10.0.0.2:3307", "[fd00::3]:3308", "[::1]:3400", "db_4:3400"])
    }

    @Test func secretKeyIsRequired() {
        #expect(throws: Environment.Problem.self) { try Settings(Environment([:])) }
        #expect(problem(["SECRET_KEY": ""])?.hasPrefix("SECRET_KEY is not set") == true)
    }

    @Test func tlsAndSSLAreExclusive() {
        #expect(problem(["EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"])?.contains("EMAIL_USE_TLS and EMAIL_USE_SSL") == true)
    }

    @Test func oneMessageMustFitInALease() {
        #expect(problem(["MEIDUO_MAIL_LEASE": "30", "EMAIL_TIMEOUT": "30"])?.contains("MEIDUO_MAIL_LEASE") == true)
        #expect(problem(["MEIDUO_MAIL_LEASE": "31", "EMAIL_TIMEOUT": "30"]) == nil)
        #expect(problem(["MEIDUO_MAIL_LEASE": "2", "EMAIL_BACKEND": "file"]) == nil, "only SMTP waits on a server")
    }

    @Test func smtpAuthOverAPlainConnectionNeedsALocalServerOrConsent() {
        let auth = ["EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "secret-pw"]
        let refused = problem(auth.merging(["EMAIL_HOST": "smtp.163.com"]) { $1 })
        #expect(refused?.hasPrefix("EMAIL_HOST_USER") == true)
        #expect(refused?.contains("secret-pw") == false)
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1"] {
            #expect(problem(auth.merging(["EMAIL_HOST": host]) { $1 }) == nil, "\(host)")
        }
        // Names that only look local are anyone's.
        for host in ["127.example.net", "127.0.0.1.nip.io", "localhost.example.com", "::2", "128.0.0.1"] {
            #expect(problem(auth.merging(["EMAIL_HOST": host]) { $1 })?.hasPrefix("EMAIL_HOST_USER") == true, "\(host)")
        }
        #expect(problem(auth.merging(["EMAIL_HOST": "smtp.163.com", "EMAIL_USE_TLS": "true"]) { $1 }) == nil)
        #expect(problem(auth.merging(["EMAIL_HOST": "smtp.163.com", "EMAIL_USE_SSL": "true"]) { $1 }) == nil)
        #expect(problem(auth.merging(["EMAIL_HOST": "smtp.163.com", "MEIDUO_EMAIL_ALLOW_PLAINTEXT_AUTH": "true"]) { $1 }) == nil)
        #expect(problem(["EMAIL_HOST": "smtp.163.com"]) == nil, "no AUTH, nothing to protect")
        #expect(
            problem(auth.merging(["EMAIL_HOST": "smtp.163.com", "MEIDUO_EMAIL_ALLOW_PLAINTEXT_AUTH": "x"]) { $1 })?
                .contains("MEIDUO_EMAIL_ALLOW_PLAINTEXT_AUTH") == true)
    }

    @Test func retentionNeverCutsIntoTheThrottleWindows() {
        #expect(problem(["MEIDUO_OUTBOX_RETENTION": "59m"])?.contains("at least 3600s") == true)
        #expect(problem(["MEIDUO_OUTBOX_RETENTION": "1h"]) == nil)
        #expect(problem(["MEIDUO_OUTBOX_RETENTION": "1h", "MEIDUO_THROTTLE_ADDRESS_INTERVAL": "7200"])?.contains("at least 7200s") == true)
    }

    static let cacheEngine = ["SESSION_ENGINE": "django.contrib.sessions.backends.cache"]

    func cache(_ values: [String: String]) throws -> SessionCacheSettings? {
        try settings(Self.cacheEngine.merging(values) { $1 }).sessions.cache
    }

    @Test func theCacheEngineNeedsTheShopsLocation() throws {
        #expect(problem(Self.cacheEngine)?.hasPrefix("SESSION_CACHE_LOCATION is required") == true)
        let meiduo = try #require(try cache(["SESSION_CACHE_LOCATION": "redis://127.0.0.1:6379/1"]))
        #expect(meiduo.endpoint == .tcp(host: "127.0.0.1", port: 6379))
        #expect(meiduo.database == 1)
        #expect(meiduo.username == nil)
        #expect(meiduo.password == nil)
        #expect(meiduo.backend == .djangoRedis)
        #expect(meiduo.serializer == .pickle)
        #expect(meiduo.compressor == .identity)
        #expect(meiduo.keyPrefix == "")
        #expect(meiduo.version == 1)
        #expect(meiduo.connectTimeout == 1)
        #expect(meiduo.timeout == 1)
        let cachedDB = try settings(["SESSION_ENGINE": "django.contrib.sessions.backends.cached_db", "SESSION_CACHE_LOCATION": "redis://r/0"])
        #expect(cachedDB.sessions.engine == .djangoCachedDatabase)
        #expect(cachedDB.sessions.cache?.endpoint == .tcp(host: "r", port: 6379))
        #expect(try settings(["SESSION_CACHE_LOCATION": "redis://r/0"]).sessions.cache == nil, "other engines read no cache")
    }

    @Test(arguments: [
        ("redis://localhost", SessionCacheSettings.Endpoint.tcp(host: "localhost", port: 6379), 0, nil as String?, nil as String?),
        ("redis://", .tcp(host: "localhost", port: 6379), 0, nil, nil),
        ("redis://:s3cret@10.0.0.5:6380/2", .tcp(host: "10.0.0.5", port: 6380), 2, nil, "s3cret"),
        ("redis://shop:p%40ss%3Aword@cache.internal:6379/0", .tcp(host: "cache.internal", port: 6379), 0, "shop", "p@ss:word"),
        ("REDIS://[::1]:6390?db=3", .tcp(host: "::1", port: 6390), 3, nil, nil),
        ("redis://h:1/4?db=5&socket_timeout=2", .tcp(host: "h", port: 1), 5, nil, nil),
        ("redis://onlypassword@h", .tcp(host: "h", port: 6379), 0, nil, "onlypassword"),
        ("unix:///run/redis/redis.sock", .unix(path: "/run/redis/redis.sock"), 0, nil, nil),
        ("unix://:pw@/var/run/r.sock?db=7", .unix(path: "/var/run/r.sock"), 7, nil, "pw"),
        (" redis://primary:6379/1, redis://replica:6379/1", .tcp(host: "primary", port: 6379), 1, nil, nil),
    ])
    func locationsInDjangoRedisForms(location: String, endpoint: SessionCacheSettings.Endpoint, database: Int, user: String?, password: String?)
        throws
    {
        let parsed = try #require(try cache(["SESSION_CACHE_LOCATION": location]))
        #expect(parsed.endpoint == endpoint)
        #expect(parsed.database == database)
        #expect(parsed.username == user)
        #expect(parsed.password == password)
    }

    @Test(arguments: [
        "127.0.0.1:6379", "http://h/1", "redis://h:99999/0", "redis://h/x", "redis://[::1/0", "unix://relative.sock",
        "redis://h/0?db=-1", "redis://u:%zz@h/0",
    ])
    func badLocationsAreRefused(location: String) {
        let message = problem(Self.cacheEngine.merging(["SESSION_CACHE_LOCATION": location]) { $1 })
        #expect(message?.hasPrefix("SESSION_CACHE_LOCATION") == true, "\(location): \(message ?? "accepted")")
    }

    @Test func tlsIsRefusedSayingWhyAndWhatToDoWithoutThePassword() {
        let message = problem(Self.cacheEngine.merging(["SESSION_CACHE_LOCATION": "rediss://:topsecret@cache:6380/1"]) { $1 })
        #expect(message?.contains("hiredis 0.14 has no TLS") == true)
        #expect(message?.contains("unix://") == true)
        #expect(message?.contains("topsecret") == false)
        #expect(message?.contains("\n") == false)
    }

    @Test func backendsSerializersAndCompressorsByTheShopsDottedNames() throws {
        let location = ["SESSION_CACHE_LOCATION": "redis://r/1"]
        let djangos = try #require(
            try cache(
                location.merging([
                    "SESSION_CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache", "SESSION_CACHE_KEY_PREFIX": "mall",
                    "SESSION_CACHE_VERSION": "3", "SESSION_CACHE_SOCKET_CONNECT_TIMEOUT": "0.5", "SESSION_CACHE_SOCKET_TIMEOUT": "2",
                ]) { $1 }))
        #expect(djangos.backend == .django)
        #expect(djangos.keyPrefix == "mall")
        #expect(djangos.version == 3)
        #expect(djangos.connectTimeout == 0.5)
        #expect(djangos.timeout == 2)
        let json = try #require(
            try cache(
                location.merging([
                    "SESSION_CACHE_SERIALIZER": "django_redis.serializers.json.JSONSerializer",
                    "SESSION_CACHE_COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor",
                ]) { $1 }))
        #expect(json.serializer == .json)
        #expect(json.compressor == .zlib)
        for (name, value) in [
            ("SESSION_CACHE_BACKEND", "django.core.cache.backends.memcached.PyMemcacheCache"),
            ("SESSION_CACHE_SERIALIZER", "django_redis.serializers.msgpack.MSGPackSerializer"),
            ("SESSION_CACHE_COMPRESSOR", "django_redis.compressors.lz4.Lz4Compressor"), ("SESSION_CACHE_VERSION", "one"),
            ("SESSION_CACHE_SOCKET_TIMEOUT", "0"),
        ] {
            #expect(problem(Self.cacheEngine.merging(location) { $1 }.merging([name: value]) { $1 })?.hasPrefix(name) == true, "\(name)")
        }
        let mixed = problem(
            Self.cacheEngine.merging(location) { $1 }.merging([
                "SESSION_CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache",
                "SESSION_CACHE_SERIALIZER": "django_redis.serializers.json.JSONSerializer",
            ]) { $1 })
        #expect(mixed?.contains("Django's own RedisCache always pickles") == true)
    }

    @Test func eachChildIsHandedOnlyTheSecretsOfItsRole() throws {
        let variables = [
            "SECRET_KEY": "key", "SECRET_KEY_FALLBACKS": "old", "MEIDUO_DB_PASSWORD": "db", "EMAIL_HOST_PASSWORD": "smtp",
            "SESSION_CACHE_LOCATION": "redis://:pw@r/1", "MEIDUO_METRICS_TOKEN": "token", "PATH": "/bin",
        ]
        let responder = SecretHandover.decode(SecretHandover.encode(variables, for: .responder))
        #expect(
            responder == [
                "SECRET_KEY": "key", "SECRET_KEY_FALLBACKS": "old", "MEIDUO_DB_PASSWORD": "db",
                "SESSION_CACHE_LOCATION": "redis://:pw@r/1", "MEIDUO_METRICS_TOKEN": "token",
            ])
        #expect(SecretHandover.decode(SecretHandover.encode(variables, for: .sender)) == ["MEIDUO_DB_PASSWORD": "db", "EMAIL_HOST_PASSWORD": "smtp"])
        #expect(Set(ProcessRole.children.flatMap(\.secrets)) == Set(Settings.secretVariables), "every secret goes to some child")
        let sender = try Settings(
            Environment(
                SecretHandover.decode(SecretHandover.encode(variables, for: .sender))
                    .merging(["SESSION_ENGINE": "django.contrib.sessions.backends.cache"]) { $1 }), role: .sender)
        #expect(sender.secretKey.isEmpty, "a sender needs neither")
        #expect(sender.sessions.cache == nil, "a sender needs neither")
    }

    @Test func childrenGetNoSecretsInTheirEnvironment() {
        let variables = [
            "SECRET_KEY": "s", "SECRET_KEY_FALLBACKS": "f", "MEIDUO_DB_PASSWORD": "d", "EMAIL_HOST_PASSWORD": "e",
            "SESSION_CACHE_LOCATION": "redis://:pw@r/1", "PATH": "/bin",
        ]
        #expect(Settings.childEnvironment(variables) == ["PATH": "/bin"])
    }

    @Test(arguments: [("30d", 2_592_000), ("12h", 43200), ("90m", 5400), ("3600s", 3600), ("42", 42)])
    func durations(text: String, seconds: Int) {
        #expect(Environment.seconds(text) == seconds)
    }

    @Test(arguments: ["", "d", "-1d", "1w", "1.5h", "99999999999999999999d"])
    func badDurations(text: String) {
        #expect(Environment.seconds(text) == nil)
    }

    @Test func readOnlyCommandsNeedNeitherTheKeyNorTheServiceUser() throws {
        let inspection = try InspectionSettings(
            Environment([
                "MEIDUO_USER": "no-such-user-here", "MEIDUO_DB_NAME": "shop", "MEIDUO_SOCKET": "/run/x.sock",
                "MEIDUO_METRICS_TOKEN": "0123456789abcdef",
            ]))
        #expect(inspection.database.name == "shop")
        #expect(inspection.socket.address == .unix("/run/x.sock"))
        #expect(inspection.metricsToken == "0123456789abcdef")
        #expect(throws: Environment.Problem.self, "the service itself still wants both") {
            try Settings(Environment(["MEIDUO_USER": "no-such-user-here", "SECRET_KEY": "k"]))
        }
    }

    @Test func eachRoleStopsWithinAGraceItsSettingsGive() throws {
        let settings = try Settings(
            Environment([
                "SECRET_KEY": "k", "EMAIL_HOST": "smtp.example.com", "EMAIL_TIMEOUT": "120", "MEIDUO_MAIL_LEASE": "200",
                "MEIDUO_READ_TIMEOUT": "10", "MEIDUO_DB_CONNECT_TIMEOUT": "3", "MEIDUO_DB_READ_TIMEOUT": "30",
            ]))
        #expect(ProcessRole.responder.stopGrace(settings) == 10 + 3 + 30, "a request's read, then its database work")
        #expect(ProcessRole.sender.stopGrace(settings) == 120 + DeliverySettings.leaseMargin + 3 + 30, "the message in hand, then its outcome")
        #expect(ProcessRole.children.map(\.stopStage) == [0, 1], "the producer of mail stops before those that deliver it")
    }
}
