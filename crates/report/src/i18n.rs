//! The two languages of the site and the words the generator itself writes.

use scheduler::{Mark, ThreadState};
use serde::{Deserialize, Serialize};

/// A language of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// Both languages, in site order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// `en` or `ko`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        }
    }

    /// Parses `en` or `ko`.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// Words of the interface, in one language.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ui {
    /// The language of these words.
    #[serde(skip)]
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
    /// Site and page words.
    pub site_title: &'static str,
    /// "Study notes"
    pub notes: &'static str,
    /// "Contents"
    pub contents: &'static str,
    /// "Previous"
    pub previous: &'static str,
    /// "Next"
    pub next: &'static str,
    /// "Tags"
    pub tags: &'static str,
    /// "Experiments"
    pub experiments: &'static str,
    /// "Experiment"
    pub experiment: &'static str,
    /// "Interview drill"
    pub drill: &'static str,
    /// "Search"
    pub search: &'static str,
    /// "Quiz"
    pub quiz: &'static str,
    /// "Answer"
    pub answer: &'static str,
    /// "Check"
    pub check: &'static str,
    /// "Retry missed"
    pub retry: &'static str,
    /// "Level"
    pub level: &'static str,
    /// Level names, 1 to 3.
    pub levels: [&'static str; 3],
    /// "Data"
    pub data: &'static str,
    /// "Reproduce"
    pub reproduce: &'static str,
    /// "Parameters"
    pub parameters: &'static str,
    /// "Values"
    pub values: &'static str,
    /// "Code fingerprint"
    pub fingerprint: &'static str,
    /// "Used in"
    pub used_in: &'static str,
    /// "checked when the site was built"
    pub checked: &'static str,
    /// "Myth vs measured"
    pub myth: &'static str,
    /// "Note"
    pub note: &'static str,
    /// "Tip"
    pub tip: &'static str,
    /// "Warning"
    pub warning: &'static str,
    /// "Dark mode"
    pub theme: &'static str,
    /// "Correct"
    pub correct: &'static str,
    /// "Not quite"
    pub wrong: &'static str,
    /// "Score"
    pub score: &'static str,
    /// "Type your answer"
    pub your_answer: &'static str,
    /// "Page not found"
    pub not_found: &'static str,
    /// "questions"
    pub questions: &'static str,
    /// "Anki deck"
    pub anki: &'static str,
    /// "Simulated"
    pub simulated: &'static str,
    /// "Show all answers"
    pub show_all: &'static str,
    /// Drill filter label.
    pub topic: &'static str,
    /// Drill filter: every topic.
    pub all_topics: &'static str,
}

static EN: Ui = Ui {
    lang: Lang::En,
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
    site_title: "gil-lab",
    notes: "Study notes",
    contents: "On this page",
    previous: "Previous",
    next: "Next",
    tags: "Tags",
    experiments: "Experiments",
    experiment: "Experiment",
    drill: "Interview drill",
    search: "Search",
    quiz: "Quiz",
    answer: "Answer",
    check: "Check",
    retry: "Retry the missed ones",
    level: "Level",
    levels: ["basic", "applied", "practice"],
    data: "Data",
    reproduce: "Reproduce",
    parameters: "Parameters",
    values: "Values",
    fingerprint: "Simulator code fingerprint",
    used_in: "Used in",
    checked: "checked when the site was built",
    myth: "Myth vs measured",
    note: "Note",
    tip: "Tip",
    warning: "Warning",
    theme: "Toggle dark mode",
    correct: "Correct",
    wrong: "Not quite",
    score: "Score",
    your_answer: "Type your answer",
    not_found: "Page not found",
    questions: "questions",
    anki: "Anki deck",
    simulated: "Simulated with gil-lab's model, not measured on real CPython.",
    show_all: "Show every answer",
    topic: "Topic",
    all_topics: "All topics",
};

static KO: Ui = Ui {
    lang: Lang::Ko,
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
    site_title: "gil-lab",
    notes: "학습 노트",
    contents: "이 페이지의 내용",
    previous: "이전",
    next: "다음",
    tags: "태그",
    experiments: "실험",
    experiment: "실험",
    drill: "면접 대비 문제",
    search: "검색",
    quiz: "퀴즈",
    answer: "정답",
    check: "채점",
    retry: "틀린 문제 다시 풀기",
    level: "난이도",
    levels: ["기초", "응용", "실전"],
    data: "데이터",
    reproduce: "재현 명령",
    parameters: "매개변수",
    values: "값",
    fingerprint: "시뮬레이터 코드 지문",
    used_in: "사용한 노트",
    checked: "사이트를 빌드할 때 검증함",
    myth: "통념과 측정",
    note: "참고",
    tip: "팁",
    warning: "주의",
    theme: "다크 모드 전환",
    correct: "정답입니다",
    wrong: "아쉽네요",
    score: "점수",
    your_answer: "답을 입력하세요",
    not_found: "페이지를 찾을 수 없습니다",
    questions: "문제",
    anki: "Anki 덱",
    simulated: "gil-lab 모델로 시뮬레이션한 결과이며, 실제 CPython에서 측정한 값이 아닙니다.",
    show_all: "모든 정답 보기",
    topic: "주제",
    all_topics: "모든 주제",
};

/// The interface words of `lang`.
pub fn ui(lang: Lang) -> &'static Ui {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

impl Ui {
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
        assert_eq!(ui(Lang::Ko).bars_intro("시간", "a, b"), "a, b별 시간.");
        assert_eq!(ui(Lang::En).bars_intro("time", "a, b"), "time for a, b.");
        assert_eq!(ui(Lang::Ko).mark(Mark::DropRequest), "드롭 요청");
    }
}
