plugins {
    java
    id("org.springframework.boot") version "3.3.1"
}

val integrationTestImplementation by configurations.creating {
    extendsFrom(configurations.testImplementation.get())
}

tasks.test {
    useJUnitPlatform()
    systemProperty("spring.profiles.active", "test")
}

val integrationTest by tasks.registering(Test::class) {
    description = "Runs the reconciliation integration tests."
    group = "verification"
    useJUnitPlatform()
    // The settlement fixtures only exist in the payouts account.
    environment("AWS_PROFILE", "payouts-prod")
    shouldRunAfter(tasks.test)
}

tasks.check {
    dependsOn(integrationTest)
}
