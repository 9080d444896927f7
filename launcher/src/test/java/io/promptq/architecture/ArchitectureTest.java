package io.promptq.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jspecify.annotations.NullMarked;

/**
 * Guard rails over the main classes of every module (the launcher's test class path holds them all but the
 * benchmarks): implementation packages ({@code ..internal..}) stay inside their module, public API does not hand
 * them out, and the top-level packages do not depend on each other in cycles. Which module a class belongs to is
 * read from the source tree ({@link ProjectModules}).
 */
@AnalyzeClasses(packages = "io.promptq", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final ProjectModules MODULES = ProjectModules.read(ProjectModules.ROOT);

    /** Avro's generated records: their optional fields are nullable, and the generator knows no JSpecify. */
    private static final String GENERATED_AVRO_PACKAGE = "io.promptq.schema..";

    /** Modules whose classes are not on this class path: the JMH uber-jar depends on no service. */
    private static final Set<String> NOT_ON_CLASS_PATH = Set.of("benchmarks");

    @ArchTest
    void noModuleUsesAnotherModulesInternals(JavaClasses classes) {
        ArchRule rule = classes().that().resideInAPackage("io.promptq..")
                .should(useOnlyTheirOwnModulesInternals())
                .because("an internal package is the implementation of its module and may change without notice;"
                        + " other modules use the public API at the package root");
        rule.check(classes);
    }

    @ArchTest
    void publicApiDoesNotExposeInternalTypes(JavaClasses classes) {
        ArchRule rule = classes().that(arePublicApi())
                .should(notExposeInternalTypesInPublicSignatures())
                .because("a caller that gets an internal type from the public API depends on the implementation,"
                        + " whatever its imports say");
        rule.check(classes);
    }

    @ArchTest
    void topLevelPackagesAreFreeOfCycles(JavaClasses classes) {
        ArchRule rule = slices().matching("io.promptq.(*)..").should().beFreeOfCycles()
                .because("the package roots of the modules are layered (schemas and core below the services,"
                        + " the launcher on top); a cycle would tie modules together that Maven keeps apart");
        rule.check(classes);
    }

    @ArchTest
    void everyHandWrittenPackageIsNullMarked(JavaClasses classes) {
        ArchRule rule = classes().that().resideInAPackage("io.promptq..")
                .and().resideOutsideOfPackage(GENERATED_AVRO_PACKAGE)
                .should(resideInANullMarkedPackage())
                .because("values are non-null unless declared @Nullable (JSpecify); a package without @NullMarked"
                        + " in its package-info leaves that unsaid");
        rule.check(classes);
    }

    @ArchTest
    void everyModuleIsOnTheAnalysedClassPath(JavaClasses classes) {
        Set<String> seen = new TreeSet<>();
        for (JavaClass c : classes) {
            MODULES.moduleOf(c.getPackageName()).ifPresent(seen::add);
        }
        List<String> expected = MODULES.modules().stream().filter(m -> !NOT_ON_CLASS_PATH.contains(m)).toList();
        assertThat(seen).as("modules with classes on the launcher's test class path (the rules above check only these)")
                .containsAll(expected);
    }

    private static ArchCondition<JavaClass> useOnlyTheirOwnModulesInternals() {
        return new ArchCondition<>("use only their own module's internal packages") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                String originModule = MODULES.moduleOf(origin.getPackageName()).orElse("?");
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass().getBaseComponentType();
                    if (!isInternal(target)) {
                        continue;
                    }
                    String targetModule = MODULES.moduleOf(target.getPackageName()).orElse("?");
                    if (!targetModule.equals(originModule)) {
                        events.add(SimpleConditionEvent.violated(origin, "module " + originModule + " uses "
                                + targetModule + "'s internals: " + dependency.getDescription()));
                    }
                }
            }
        };
    }

    private static ArchCondition<JavaClass> resideInANullMarkedPackage() {
        return new ArchCondition<>("reside in a @NullMarked package") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                if (!c.getPackage().isAnnotatedWith(NullMarked.class)) {
                    events.add(SimpleConditionEvent.violated(c, "package " + c.getPackageName()
                            + " has no @NullMarked package-info (" + c.getName() + ")"));
                }
            }
        };
    }

    private static DescribedPredicate<JavaClass> arePublicApi() {
        return DescribedPredicate.describe("are public API (public, in io.promptq, outside ..internal..)",
                c -> c.getPackageName().startsWith("io.promptq.") && !isInternal(c) && isVisibleFromOutside(c));
    }

    private static ArchCondition<JavaClass> notExposeInternalTypesInPublicSignatures() {
        return new ArchCondition<>("not expose internal types in public signatures") {
            @Override
            public void check(JavaClass api, ConditionEvents events) {
                api.getSuperclass().ifPresent(t -> report(api, "extends", involved(t), events));
                api.getInterfaces().forEach(t -> report(api, "implements", involved(t), events));
                for (JavaField field : api.getFields()) {
                    if (isVisible(field)) {
                        report(api, field.getFullName(), involved(field.getType()), events);
                    }
                }
                for (JavaCodeUnit unit : api.getCodeUnits()) {
                    if (!isVisible(unit) || unit.getModifiers().contains(JavaModifier.SYNTHETIC)
                            || unit.getModifiers().contains(JavaModifier.BRIDGE)) {
                        continue;
                    }
                    Set<JavaClass> types = new LinkedHashSet<>(involved(unit.getReturnType()));
                    unit.getParameterTypes().forEach(t -> types.addAll(involved(t)));
                    unit.getThrowsClause().getTypes().forEach(types::add);
                    report(api, unit.getFullName(), types, events);
                }
            }

            private void report(JavaClass api, String where, Set<JavaClass> types, ConditionEvents events) {
                List<String> internal = new ArrayList<>();
                for (JavaClass type : types) {
                    if (isInternal(type.getBaseComponentType())) {
                        internal.add(type.getBaseComponentType().getName());
                    }
                }
                if (!internal.isEmpty()) {
                    events.add(SimpleConditionEvent.violated(api, where + " exposes " + String.join(", ", internal)));
                }
            }
        };
    }

    private static Set<JavaClass> involved(JavaType type) {
        return type.getAllInvolvedRawTypes();
    }

    private static boolean isInternal(JavaClass c) {
        String pkg = c.getPackageName();
        return pkg.startsWith("io.promptq.") && (pkg.endsWith(".internal") || pkg.contains(".internal."));
    }

    /** Public, and so are all classes enclosing it. */
    private static boolean isVisibleFromOutside(JavaClass c) {
        return Stream.iterate(c, x -> x != null, x -> x.getEnclosingClass().orElse(null))
                .allMatch(x -> x.getModifiers().contains(JavaModifier.PUBLIC));
    }

    private static boolean isVisible(JavaMember member) {
        Set<JavaModifier> modifiers = member.getModifiers();
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }
}
