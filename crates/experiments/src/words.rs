//! The words the generator writes into charts and their tables, per language.

use scheduler::{Mark, ThreadState};

use crate::lang::Lang;

/// Chart and table words in one language.
#[derive(Clone, Copy, Debug)]
pub struct Words {
    /// The language of these words.
    pub lang: Lang,
    /// "series"
    pub series: &'static str,
    /// "percentile"
    pub percentile: &'static str,
    /// "fraction of requests"
    pub fraction: &'static str,
    /// "thread"
    pub thread: &'static str,
    /// "from (ms)"
    pub from_ms: &'static str,
    /// "to (ms)"
    pub to_ms: &'static str,
    /// "state"
    pub state_word: &'static str,
    /// "time (ms)"
    pub time_ms: &'static str,
    /// Table header: start of a span, in microseconds.
    pub from_us: &'static str,
    /// Table header: end of a span, in microseconds.
    pub to_us: &'static str,
    /// Time axis in microseconds.
    pub time_us: &'static str,
    /// "core"
    pub core: &'static str,
    /// "context switch"
    pub switching: &'static str,
    /// "Experiment"
    pub experiment: &'static str,
}

static EN: Words = Words {
    lang: Lang::En,
    experiment: "Experiment",
    series: "series",
    percentile: "percentile",
    fraction: "fraction of requests",
    thread: "thread",
    from_ms: "from (ms)",
    to_ms: "to (ms)",
    state_word: "state",
    time_ms: "time (ms)",
    from_us: "from (µs)",
    to_us: "to (µs)",
    time_us: "time (µs)",
    core: "core",
    switching: "context switch",
};

static KO: Words = Words {
    lang: Lang::Ko,
    experiment: "실험",
    series: "계열",
    percentile: "백분위",
    fraction: "요청 비율",
    thread: "스레드",
    from_ms: "시작 (ms)",
    to_ms: "끝 (ms)",
    state_word: "상태",
    time_ms: "시간 (ms)",
    from_us: "시작 (µs)",
    to_us: "끝 (µs)",
    time_us: "시간 (µs)",
    core: "코어",
    switching: "컨텍스트 스위칭",
};

/// The chart words of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

impl Words {
    fn ko(&self) -> bool {
        self.lang == Lang::Ko
    }
    /// A thread state's name.
    pub fn state(&self, s: ThreadState) -> &'static str {
        let (en, ko) = match s {
            ThreadState::NotStarted => ("not started", "시작 전"),
            ThreadState::Ready => ("ready, no core", "실행 대기 (코어 없음)"),
            ThreadState::Python => ("running Python (holds the GIL)", "파이썬 실행 (GIL 보유)"),
            ThreadState::CHold => ("C code holding the GIL", "GIL을 쥔 C 코드"),
            ThreadState::CRelease => ("C code without the GIL", "GIL을 놓은 C 코드"),
            ThreadState::Overhead => ("GIL bookkeeping", "GIL 처리 오버헤드"),
            ThreadState::GilWait => ("waiting for the GIL", "GIL 대기"),
            ThreadState::Handoff => ("waiting for the hand-off", "넘겨주기 대기"),
            ThreadState::Io => ("blocked in I/O", "I/O 대기"),
            ThreadState::LockWait => ("waiting for a lock", "락 대기"),
            ThreadState::QueueWait => ("waiting on a queue", "큐 대기"),
            ThreadState::Crashed => ("crashed", "비정상 종료"),
            ThreadState::Done => ("finished", "종료"),
        };
        if self.ko() { ko } else { en }
    }

    /// A timeline mark's name.
    pub fn mark(&self, m: Mark) -> &'static str {
        let (en, ko) = match m {
            Mark::DropRequest => ("drop request", "드롭 요청"),
            Mark::ForcedDrop => ("forced drop", "강제 전환"),
            Mark::FailedAcquire => ("failed wake-up", "획득 실패한 깨움"),
            Mark::Switch => ("switch", "GIL 전환"),
            Mark::TimedOut => ("wait timed out", "대기 시간 초과"),
        };
        if self.ko() { ko } else { en }
    }

    /// What a thread state means, for a timeline's legend.
    pub fn state_help(&self, s: ThreadState) -> &'static str {
        let (en, ko) = match s {
            ThreadState::NotStarted => ("before the thread's start time", "스레드가 시작하기 전"),
            ThreadState::Ready => (
                "runnable, but every core is busy (it may hold the GIL while it waits)",
                "실행할 수 있지만 코어가 모두 바쁨 (GIL을 쥔 채 기다릴 수도 있다)",
            ),
            ThreadState::Python => {
                ("on a core running bytecode, holding the GIL", "코어에서 바이트코드를 실행하며 GIL을 쥐고 있음")
            }
            ThreadState::CHold => (
                "one long C call that keeps the GIL: no check point inside",
                "GIL을 쥔 채 도는 긴 C 호출: 중간에 검사 지점이 없다",
            ),
            ThreadState::CRelease => (
                "C code that released the GIL (hashing, NumPy, compression): runs in parallel",
                "GIL을 놓은 C 코드 (해시, NumPy, 압축): 병렬로 돈다",
            ),
            ThreadState::Overhead => (
                "on a core, taking, dropping or signalling the GIL, or in a system call",
                "코어에서 GIL을 잡거나 놓거나 신호를 보내는 중, 또는 시스템 호출",
            ),
            ThreadState::GilWait => (
                "inside take_gil: asleep on the GIL, or woken and re-checking",
                "take_gil 안: GIL을 기다리며 잠들었거나, 깨어나 다시 확인하는 중",
            ),
            ThreadState::Handoff => (
                "dropped the GIL on request and waits until another thread took it",
                "요청을 받아 GIL을 놓고, 다른 스레드가 가져갈 때까지 기다림",
            ),
            ThreadState::Io => (
                "blocked in a system call (socket, file, sleep), GIL released",
                "시스템 호출(소켓, 파일, sleep)에서 대기, GIL은 놓음",
            ),
            ThreadState::LockWait => {
                ("blocked acquiring a threading.Lock, GIL released", "threading.Lock 획득을 기다림, GIL은 놓음")
            }
            ThreadState::QueueWait => {
                ("blocked on a queue's get or put, GIL released", "큐의 get 또는 put에서 기다림, GIL은 놓음")
            }
            ThreadState::Crashed => ("its process died and is not back yet", "프로세스가 죽었고 아직 다시 뜨지 않음"),
            ThreadState::Done => ("finished", "끝남"),
        };
        if self.ko() { ko } else { en }
    }

    /// What a timeline mark means.
    pub fn mark_help(&self, m: Mark) -> &'static str {
        let (en, ko) = match m {
            Mark::DropRequest => (
                "a waiter's timed wait expired and it asked this holder to drop the GIL",
                "기다리던 스레드의 시간 제한이 끝나 이 보유자에게 GIL을 놓으라고 요청함",
            ),
            Mark::ForcedDrop => {
                ("this holder dropped the GIL to answer a drop request", "이 보유자가 드롭 요청에 따라 GIL을 놓음")
            }
            Mark::FailedAcquire => (
                "this thread was woken but found the GIL taken again",
                "이 스레드가 깨어났지만 GIL이 이미 다시 잡혀 있었음",
            ),
            Mark::Switch => ("this thread took the GIL from another", "이 스레드가 다른 스레드에게서 GIL을 가져옴"),
            Mark::TimedOut => ("this thread's timed wait for the GIL expired", "이 스레드의 GIL 대기 시간이 끝남"),
        };
        if self.ko() { ko } else { en }
    }

    /// "Y against X."
    pub fn line_intro(&self, y: &str, x: &str) -> String {
        if self.ko() { format!("{x}에 따른 {y}.") } else { format!("{y} against {x}.") }
    }

    /// "S goes from A to B."
    pub fn line_summary(&self, s: &str, a: &str, b: &str) -> String {
        let s = if s.is_empty() { String::new() } else { format!("{s}: ") };
        if self.ko() { format!("{s}{a}에서 {b}까지.") } else { format!("{s}from {a} to {b}.") }
    }

    /// Latency CDF.
    pub fn cdf_intro(&self, x: &str) -> String {
        if self.ko() { format!("{x}의 누적 분포.") } else { format!("Cumulative distribution of {x}.") }
    }

    /// Bars.
    pub fn bars_intro(&self, y: &str, cats: &str) -> String {
        if self.ko() { format!("{cats}별 {y}.") } else { format!("{y} for {cats}.") }
    }

    /// Heat map.
    pub fn heatmap_intro(&self, v: &str, x: &str, y: &str) -> String {
        if self.ko() { format!("{y}와 {x}에 따른 {v}.") } else { format!("{v} by {y} and {x}.") }
    }

    /// Timeline.
    pub fn timeline_intro(&self, lanes: &str) -> String {
        if self.ko() {
            format!("시간에 따른 상태: {lanes}.")
        } else {
            format!("What each lane does over time: {lanes}.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_sentences_follow_the_language() {
        assert_eq!(words(Lang::Ko).bars_intro("시간", "a, b"), "a, b별 시간.");
        assert_eq!(words(Lang::En).bars_intro("time", "a, b"), "time for a, b.");
        assert_eq!(words(Lang::Ko).mark(Mark::DropRequest), "드롭 요청");
    }
}
