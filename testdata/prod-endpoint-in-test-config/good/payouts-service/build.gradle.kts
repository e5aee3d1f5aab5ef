plugins {
    java
    id("org.springframework.boot") version "3.3.1"
}

tasks.test {
    useJUnitPlatform()
    systemProperty("spring.profiles.active", "test")
}

val integrationTest by tasks.registering(Test::class) {
    description = "Runs the reconciliation integration tests against LocalStack."
    useJUnitPlatform()
    environment("AWS_PROFILE", "payouts-sandbox")
    environment("AWS_ENDPOINT_URL", "http://localhost:4566")
}

// Running the service locally against production data is a human's decision.
tasks.bootRun {
    environment("AWS_PROFILE", "payouts-prod")
}
