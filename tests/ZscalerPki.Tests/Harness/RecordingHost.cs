using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace ZscalerPki.Tests.Harness;

/// <summary>
/// A minimal PowerShell host for the tests. -WhatIf messages ("What if: ...") go to the host's UI, not to a stream, so the UI
/// records every line written to it. Nothing here may wait for a person: a confirmation prompt or a read fails the test with a
/// message saying what to pass instead.
/// </summary>
internal sealed class RecordingHost : PSHost
{
    private readonly RecordingUserInterface _ui = new();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => "ZscalerPki.Tests";

    public override PSHostUserInterface UI => _ui;

    public override Version Version => new(1, 0);

    /// <summary>Every line the commands wrote to the host (What if: messages among them), in order.</summary>
    public IReadOnlyList<string> Lines => _ui.Lines;

    public void ClearLines() => _ui.Lines.Clear();

    /// <summary>
    /// Secrets a person would type at a Read-Host -AsSecureString prompt, answered in order; a read with none queued still
    /// fails the test (nothing may wait for a person).
    /// </summary>
    public void AnswerSecrets(params string[] answers)
    {
        foreach (var a in answers)
            _ui.SecretAnswers.Enqueue(a);
    }

    /// <summary>How many secrets were read from the queue.</summary>
    public int SecretsRead => _ui.SecretsRead;

    public override void EnterNestedPrompt() => throw new NotSupportedException("The test host has no nested prompt.");

    public override void ExitNestedPrompt() => throw new NotSupportedException("The test host has no nested prompt.");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode)
    {
    }

    private sealed class RecordingUserInterface : PSHostUserInterface
    {
        private string _partial = string.Empty;

        public List<string> Lines { get; } = new();

        public Queue<string> SecretAnswers { get; } = new();

        public int SecretsRead { get; private set; }

        // No console behind this host: the engine checks for null before it uses RawUI.
        public override PSHostRawUserInterface? RawUI => null;

        public override void Write(string value) => _partial += value;

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

        public override void WriteLine(string value)
        {
            Lines.Add(_partial + value);
            _partial = string.Empty;
        }

        public override void WriteLine() => WriteLine(string.Empty);

        public override void WriteErrorLine(string value) => WriteLine(value);

        public override void WriteDebugLine(string message) => WriteLine("DEBUG: " + message);

        public override void WriteVerboseLine(string message) => WriteLine("VERBOSE: " + message);

        public override void WriteWarningLine(string message) => WriteLine("WARNING: " + message);

        // Progress is asserted on the Progress stream; the host only has to accept it.
        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw Unattended($"prompt '{caption}': {message}");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw Unattended($"confirmation '{caption}': {message} (pass -Confirm:$false or -WhatIf)");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw Unattended($"credential prompt '{caption}' (pass the credential as a parameter)");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            PromptForCredential(caption, message, userName, targetName);

        public override string ReadLine() => throw Unattended("Read-Host");

        public override SecureString ReadLineAsSecureString()
        {
            if (!SecretAnswers.TryDequeue(out var answer))
                throw Unattended("Read-Host -AsSecureString (pass the password as a parameter)");
            SecretsRead++;
            // What the person typed ends the prompt line, as the console shows it (masked).
            WriteLine(new string('*', answer.Length));
            var secure = new SecureString();
            foreach (var c in answer)
                secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        private static InvalidOperationException Unattended(string what) =>
            new($"The test host cannot answer a {what}; the command must not wait for a person.");
    }
}
