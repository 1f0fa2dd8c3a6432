(function(){
function apply(box){
  var want={};box.querySelectorAll('select[data-filter]').forEach(function(s){want[s.dataset.filter]=s.value;});
  var shown=0,rows=document.querySelectorAll('#'+box.dataset.target+' tbody tr, .nkb-claims .nkb-claim');
  var nrows=0;
  rows.forEach(function(r){
    var ok=Object.keys(want).every(function(k){return !want[k]||r.dataset[k]===want[k];});
    r.hidden=!ok; if(r.tagName==='TR'){nrows++; if(ok){shown++;}}
  });
  var c=box.querySelector('.nkb-filter-count'); if(c){c.textContent=shown+' of '+nrows+' claims';}
}
function init(){document.querySelectorAll('.nkb-filters').forEach(function(box){
  box.querySelectorAll('select').forEach(function(s){s.addEventListener('change',function(){apply(box);});});apply(box);});}
if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',init);}else{init();}
})();
