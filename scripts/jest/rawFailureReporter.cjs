/*
 * A failure raised by what an earlier test file left running (a timer, a
 * polling loop) reaches the test that runs at the time, without a stack,
 * since the earlier file's environment is gone; jest then prints an empty
 * failure. This reporter prints such failures, and those whose message is
 * empty, as they were raised.
 */

const FRAME = /^\s+at\s/m;
const EMPTY = /^\s*[\w.]*(Error|Exception)?:?\s*$/;

class RawFailureReporter {
  onTestResult(_test, result) {
    for (const assertion of result.testResults) {
      if (assertion.status !== 'failed') {
        continue;
      }
      for (const message of assertion.failureMessages) {
        const text = String(message);
        const withoutFrames = text
          .split('\n')
          .filter(line => !FRAME.test(line))
          .join('\n');
        if (FRAME.test(text) && !EMPTY.test(withoutFrames)) {
          continue;
        }
        process.stderr.write(
          `\n"${assertion.fullName}" (${result.testFilePath}) failed with ${
            FRAME.test(text) ? 'an error without a message' : 'no stack'
          }:\n${text}\n`,
        );
      }
    }
  }
}

module.exports = RawFailureReporter;
