import Testing
@testable import WheelModel

@Suite("pip's index settings from its configuration files and environment variables")
struct PipConfigurationTests {
    @Test("[install] overrides [global], later files override earlier ones, PIP_* variables override every file; keys as pip spells them")
    func precedence() {
        let system = """
            [global]
            index-url = https://system.example/simple/
            find-links =
                /srv/wheels
                /opt/more
            ; a comment
            [install]
            no_index = false
            """
        let user = """
            # user file
            [global]
            --extra-index-url: https://extra.example/simple/ https://second.example/simple/
            [install]
            index-url = https://user.example/simple/
            [download]
            index-url = https://never.example/simple/
            """
        let read = PipConfiguration.read([system, user], environment: [:])
        #expect(read.indexURL == "https://user.example/simple/")
        #expect(read.extraIndexURLs == ["https://extra.example/simple/", "https://second.example/simple/"])
        #expect(read.findLinks == ["/srv/wheels", "/opt/more"])
        #expect(read.noIndex == false)

        let overridden = PipConfiguration.read([system, user], environment: [
            "PIP_INDEX_URL": "https://env.example/simple/", "PIP_FIND_LINKS": "/env/wheels", "PIP_NO_INDEX": "yes",
        ])
        #expect(overridden.indexURL == "https://env.example/simple/")
        #expect(overridden.findLinks == ["/env/wheels"])
        #expect(overridden.noIndex == true)
        #expect(PipConfiguration.read([], environment: [:]) == PipConfiguration())
    }

    @Test("the files pip reads, in its order: none for PIP_CONFIG_FILE=/dev/null, and no user files when that file exists")
    func files() {
        let home = ["HOME": "/home/u"]
        #expect(PipConfiguration.files(environment: home) { _ in false }
                == ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/home/u/.pip/pip.conf", "/home/u/.config/pip/pip.conf"])
        #expect(PipConfiguration.files(environment: home.merging(["PIP_CONFIG_FILE": "/dev/null"]) { $1 }) { _ in true } == [])
        #expect(PipConfiguration.files(environment: home.merging(["PIP_CONFIG_FILE": "/ci/pip.conf", "XDG_CONFIG_DIRS": "/a:/b"]) { $1 }) { _ in true }
                == ["/a/pip/pip.conf", "/b/pip/pip.conf", "/etc/pip.conf", "/ci/pip.conf"])
        #expect(PipConfiguration.files(environment: home.merging(["PIP_CONFIG_FILE": "/missing.conf", "XDG_CONFIG_HOME": "/cfg"]) { $1 }) { _ in false }
                == ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/home/u/.pip/pip.conf", "/cfg/pip/pip.conf", "/missing.conf"])
    }
}
