package org.countersign.slack.fake;

import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * The test running now (tests run one at a time), so a payload the fake keeps says which test sent it. Registered
 * with the JUnit Platform through META-INF/services; payloads arrive on the fake's own threads, hence a static.
 */
public final class CurrentTest implements TestExecutionListener {
  private static volatile String name = "-";

  static String name() {
    return name;
  }

  @Override
  public void executionStarted(TestIdentifier test) {
    test.getSource().map(CurrentTest::describe).ifPresent(n -> name = n);
  }

  private static String describe(TestSource source) {
    if (source instanceof MethodSource m) {
      return simple(m.getClassName()) + "#" + m.getMethodName();
    }
    if (source instanceof ClassSource c) {
      return simple(c.getClassName());
    }
    return null;
  }

  private static String simple(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
