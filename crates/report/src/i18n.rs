//! The two languages of the site and the words the generator itself writes.

use serde::Serialize;

pub use experiments::Lang;

/// Words of the interface, in one language.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ui {
    /// The language of these words.
    #[serde(skip)]
    pub lang: Lang,
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
    site_title: "gil-lab",
    notes: "Study notes",
    contents: "On this page",
    previous: "Previous",
    next: "Next",
    tags: "Tags",
    experiments: "Experiments",
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
    site_title: "gil-lab",
    notes: "학습 노트",
    contents: "이 페이지의 내용",
    previous: "이전",
    next: "다음",
    tags: "태그",
    experiments: "실험",
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
