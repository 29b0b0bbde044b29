import Foundation
import Testing
import WheelStore

@Suite("CacheLocation")
struct CacheLocationTests {
    static let full = [
        "WHEELCACHE_CACHE_DIR": "/from/env",
        "XDG_CACHE_HOME": "/xdg",
        "HOME": "/home/someone",
    ]

    @Test("an explicit folder wins over every environment variable")
    func explicitWins() {
        #expect(CacheLocation.resolve(explicit: "/explicit/cache", environment: Self.full) == "/explicit/cache")
    }

    @Test("WHEELCACHE_CACHE_DIR wins over XDG_CACHE_HOME and HOME")
    func environmentVariable() {
        #expect(CacheLocation.resolve(explicit: nil, environment: Self.full) == "/from/env")
        #expect(CacheLocation.resolve(explicit: "", environment: Self.full) == "/from/env")
    }

    @Test("XDG_CACHE_HOME/wheelcache is next, when it is absolute")
    func xdg() {
        var env = Self.full
        env["WHEELCACHE_CACHE_DIR"] = ""
        #expect(CacheLocation.resolve(explicit: nil, environment: env) == "/xdg/wheelcache")
        env["XDG_CACHE_HOME"] = "relative/xdg"
        #expect(CacheLocation.resolve(explicit: nil, environment: env) == "/home/someone/.cache/wheelcache")
    }

    @Test("HOME/.cache/wheelcache is the last resort")
    func home() {
        #expect(CacheLocation.resolve(explicit: nil, environment: ["HOME": "/home/x"]) == "/home/x/.cache/wheelcache")
    }

    @Test("relative and unnormalized paths are made absolute and standardized")
    func absolute() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(CacheLocation.resolve(explicit: "rel/cache", environment: [:]) == (cwd as NSString).appendingPathComponent("rel/cache"))
        #expect(CacheLocation.resolve(explicit: "/a/b/../c/./d/", environment: [:]) == "/a/c/d")
        #expect(CacheLocation.resolve(explicit: nil, environment: ["WHEELCACHE_CACHE_DIR": "/x//y/.."]) == "/x")
    }

    @Test("WHEELCACHE_NO_CACHE_DIR turns the cache off only with a true-ish value",
          arguments: [("1", true), ("true", true), ("TRUE", true), ("yes", true), ("On", true),
                      ("0", false), ("false", false), ("no", false), ("", false), ("off", false)])
    func disabled(value: String, disabled: Bool) {
        #expect(CacheLocation.disabledByEnvironment(["WHEELCACHE_NO_CACHE_DIR": value]) == disabled)
    }

    @Test("without WHEELCACHE_NO_CACHE_DIR the cache is on")
    func enabledByDefault() {
        #expect(!CacheLocation.disabledByEnvironment([:]))
        #expect(!CacheLocation.disabledByEnvironment(["PIP_NO_CACHE_DIR": "1"]))
    }
}
