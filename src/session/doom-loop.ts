// A model stuck in a loop: upstream asks the user (permission `doom_loop`) when the same tool is
// called with the same input three times in a row within one reply.

const THRESHOLD = 3;

/** The tool calls of one reply, in the order the model made them. */
export class CallHistory {
  private messageID = "";
  private calls: string[] = [];

  /** Records a call; true when it is the third identical one in a row in this reply. */
  repeats(messageID: string, tool: string, input: unknown): boolean {
    if (messageID !== this.messageID) {
      this.messageID = messageID;
      this.calls = [];
    }
    const call = JSON.stringify([tool, input]);
    this.calls.push(call);
    const last = this.calls.slice(-THRESHOLD);
    return last.length === THRESHOLD && last.every((c) => c === call);
  }
}
