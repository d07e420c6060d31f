package org.countersign.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

/** The package table of ARCHITECTURE.md, kept true: arrows only point down it. */
@AnalyzeClasses(packages = "org.countersign", importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule the_domain_depends_only_on_java_and_itself = classes()
            .that().resideInAPackage("org.countersign.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.countersign.domain..")
            .because("the domain is pure: no Jackson, Jedis, Javalin or Bolt (ARCHITECTURE.md)");

    @ArchTest
    static final ArchRule the_app_depends_only_on_the_domain_and_java = classes()
            .that().resideInAPackage("org.countersign.app..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "org.countersign.domain..", "org.countersign.app..", "org.slf4j..")
            .because("use cases reach Redis, Slack and Matrix only through their ports (logging is allowed)");

    @ArchTest
    static final ArchRule arrows_only_point_down_the_package_table = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("domain").definedBy("org.countersign.domain..")
            .layer("app").definedBy("org.countersign.app..")
            .optionalLayer("store").definedBy("org.countersign.store..")
            .optionalLayer("receipt").definedBy("org.countersign.receipt..")
            .optionalLayer("chat").definedBy("org.countersign.chat..")
            .optionalLayer("slack").definedBy("org.countersign.slack..")
            .optionalLayer("matrix").definedBy("org.countersign.matrix..")
            .optionalLayer("webhook").definedBy("org.countersign.webhook..")
            .optionalLayer("github").definedBy("org.countersign.github..")
            .optionalLayer("web").definedBy("org.countersign.web..")
            .optionalLayer("cli").definedBy("org.countersign.cli..")
            .optionalLayer("root").definedBy("org.countersign")
            .whereLayer("domain").mayNotAccessAnyLayer()
            .whereLayer("app").mayOnlyAccessLayers("domain")
            .whereLayer("store").mayOnlyAccessLayers("app", "domain")
            // Receipts sign what the domain says: pure, no ports, no adapters.
            .whereLayer("receipt").mayOnlyAccessLayers("domain")
            // chat holds the card publisher, a consumer of the events stream over the app's ports.
            .whereLayer("chat").mayOnlyAccessLayers("app", "domain")
            .whereLayer("slack").mayOnlyAccessLayers("app", "chat", "domain")
            .whereLayer("matrix").mayOnlyAccessLayers("app", "chat", "domain")
            // webhook hands Alertmanager groups to chat's alert port (AlertSurface), which slack and matrix render.
            // github opens requests and answers GitHub from the events stream, like the webhooks.
            .whereLayer("github").mayOnlyAccessLayers("app", "domain")
            .whereLayer("webhook").mayOnlyAccessLayers("app", "chat", "domain", "receipt")
            .whereLayer("web").mayOnlyAccessLayers("app", "chat", "domain", "store", "slack", "matrix", "webhook", "receipt")
            // The command line talks to a service over HTTP: it reads settings' forms (root), signs reports (webhook)
            // and checks receipts (receipt), but never reaches into the service's own layers.
            .whereLayer("cli").mayOnlyAccessLayers("domain", "receipt", "webhook", "root")
            .whereLayer("root").mayOnlyBeAccessedByLayers("root", "cli");

    @ArchTest
    static final ArchRule store_and_chat_know_no_adapter = noClasses()
            .that().resideInAnyPackage("org.countersign.store..", "org.countersign.chat..")
            .should().dependOnClassesThat().resideInAnyPackage("org.countersign.web..", "org.countersign.slack..",
                    "org.countersign.matrix..", "org.countersign.webhook..")
            .allowEmptyShould(true)
            .because("storage and the platform-neutral card serve every adapter alike");

    @ArchTest
    static final ArchRule slack_knows_no_other_adapter = adapterKnowsNoOther("slack", "matrix", "webhook");

    @ArchTest
    static final ArchRule matrix_knows_no_other_adapter = adapterKnowsNoOther("matrix", "slack", "webhook");

    @ArchTest
    static final ArchRule webhook_knows_no_other_adapter = adapterKnowsNoOther("webhook", "slack", "matrix");

    @ArchTest
    static final ArchRule rules_and_use_cases_never_read_the_clock_themselves = noClasses()
            .that().resideInAnyPackage("org.countersign.domain..", "org.countersign.app..")
            .should().callMethod(Instant.class, "now")
            .orShould().callMethod(LocalDateTime.class, "now")
            .orShould().callMethod(OffsetDateTime.class, "now")
            .orShould().callMethod(ZonedDateTime.class, "now")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(Clock.class, "systemUTC")
            .orShould().callMethod(Clock.class, "systemDefaultZone")
            .because("time is a parameter (STYLE.md): the Workflow is given now, the service asks its Clock");

    @ArchTest
    static final ArchRule github_knows_no_other_adapter = adapterKnowsNoOther("github", "slack", "matrix", "webhook", "chat");

    private static ArchRule adapterKnowsNoOther(String adapter, String... others) {
        var packages = java.util.Arrays.stream(others).map(o -> "org.countersign." + o + "..").toArray(String[]::new);
        return noClasses().that().resideInAPackage("org.countersign." + adapter + "..")
                .should().dependOnClassesThat().resideInAnyPackage(packages)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.countersign.store..", "org.countersign.web..")
                .allowEmptyShould(true)
                .because(adapter + " talks to the others only through the events stream and the app");
    }
}
